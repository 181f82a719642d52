import type { IssuedCertificateView } from '@weft/api';
import { caClientFor } from '../ca-client';
import { usageError } from '../errors';
import { json, table } from '../output';
import { flag, outputOpt, stringOpt, type Command } from './command';
import { CA_HELP, CA_OPTIONS } from './ca-help';

/** `in 23h`, `in 5m`, `expired 2m ago`. */
function expiresIn(notAfter: number, now = Date.now()): string {
  const s = Math.round((notAfter - now) / 1000);
  const a = Math.abs(s);
  const span = a < 120 ? `${a}s` : a < 7200 ? `${Math.floor(a / 60)}m` : a < 172_800 ? `${Math.floor(a / 3600)}h` : `${Math.floor(a / 86_400)}d`;
  return s >= 0 ? `in ${span}` : `expired ${span} ago`;
}

export function certsTable(certs: readonly IssuedCertificateView[], now = Date.now()): string {
  const rows = certs.map((c) => [c.serial, c.identity, `${new Date(c.notAfter).toISOString()} (${expiresIn(c.notAfter, now)})`, c.replica]);
  return table(['SERIAL', 'IDENTITY', 'EXPIRES', 'REPLICA'], rows);
}

export const certsCommand: Command = {
  name: 'certs',
  summary: 'Certificates issued by the CA (the issuance audit)',
  help: `List the workload certificates the CA replicas issued and that are still valid, soonest expiry first.

Usage:
  weftctl certs [-n NAMESPACE] [--identity SPIFFE_ID] [--all] [-o table|json]

Flags:
  -n, --namespace NS    only identities of this namespace (spiffe://…/ns/NS/…)
      --identity ID     only this identity
      --all             include certificates expired in the last 24 h
  -o, --output FORMAT   table (default) or json

${CA_HELP}`,
  options: {
    namespace: { type: 'string', short: 'n' },
    identity: { type: 'string' },
    all: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    ...CA_OPTIONS,
  },

  async run(args, ctx) {
    if (args.positionals.length > 0) throw usageError(`error: unexpected argument "${args.positionals[0] ?? ''}"`, 'certs');
    const format = outputOpt(args, ['table', 'json'] as const, 'table', 'certs');
    const ns = stringOpt(args, 'namespace');
    const identity = stringOpt(args, 'identity');
    const certificates = (await caClientFor(ctx.io.env, stringOpt(args, 'ca-url')).certificates(flag(args, 'all'))).certificates.filter(
      (c) => (ns === undefined || c.identity.includes(`/ns/${ns}/`)) && (identity === undefined || c.identity === identity),
    );
    if (format === 'json') ctx.io.out(json(certificates));
    else if (certificates.length === 0) ctx.io.err('No certificates.');
    else ctx.io.out(certsTable(certificates));
    return 0;
  },
};
