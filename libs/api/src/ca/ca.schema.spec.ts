import { caCreateCertificateSubject, caTrustBundleSubject, CA_RPC_QUEUE } from './ca-subjects';
import { createCertificateRequest, createTokenRequest } from './ca.schema';

describe('CA contract', () => {
  it('names its subjects weft.ca.* with the deployment prefix', () => {
    expect(caCreateCertificateSubject('staging.')).toBe('staging.weft.ca.rpc.createCertificate');
    expect(caTrustBundleSubject()).toBe('weft.ca.trust-bundle');
    expect(CA_RPC_QUEUE).toBe('weft-ca');
  });

  it.each([
    [{ csr: 'x', token: 't' }, true],
    [{ csr: 'x', certChain: 'pem', proof: 'sig' }, true],
    [{ csr: 'x', certChain: 'pem' }, false],
    [{ csr: 'x', proof: 'sig' }, false],
    [{ csr: '', token: 't' }, false],
    [{ csr: 'x', validitySeconds: -1 }, false],
    [{ csr: 'x', validitySeconds: 1.5 }, false],
  ])('createCertificate %j valid: %s', (payload, ok) => {
    expect(createCertificateRequest.safeParse(payload).success).toBe(ok);
  });

  it('defaults a token to one hour and bounds it to 30 days', () => {
    expect(createTokenRequest.parse({ namespace: 'a', serviceAccount: 'b' }).ttlSeconds).toBe(3600);
    expect(createTokenRequest.safeParse({ namespace: 'a', serviceAccount: 'b', ttlSeconds: 31 * 86_400 }).success).toBe(false);
  });
});
