import { DEFAULT_CA_URL } from '../ca-client';

/** Flags and environment shared by the CA verbs (token, certs, ca). */
export const CA_OPTIONS = { 'ca-url': { type: 'string' } } as const;

export const CA_HELP = `CA flags:
  --ca-url URL      the CA's HTTP API (default $WEFT_CA_URL, else ${DEFAULT_CA_URL})
  -h, --help        help for this command

Environment: WEFT_CA_URL, WEFT_CA_ADMIN_TOKEN (bearer token for token create).`;
