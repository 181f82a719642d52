/** The proxy's identity holder lives in @weft/x509 (pilot uses it too); listeners and clusters import it from here. */
export { WorkloadIdentity, type IdentityListener, type IdentityMaterial } from '@weft/x509';
