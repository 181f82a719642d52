import { caClientFor } from '../ca-client';
import { usageError } from '../errors';
import { json } from '../output';
import { outputOpt, stringOpt, type Command } from './command';
import { CA_HELP, CA_OPTIONS } from './ca-help';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `15m`, `1h`, `2d` or plain seconds → seconds. */
export function parseTtl(text: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) return null;
  const n = Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
  return n > 0 ? n : null;
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create a bootstrap token for one workload identity (token create)',
  help: `Create a bootstrap token: a signed JWT (ES256, issuer weft-ca) bound to one identity,
spiffe://<trust-domain>/ns/NAMESPACE/sa/SERVICE_ACCOUNT, with an expiry. A workload presents it once
to obtain its first certificate (weft-proxy --token-file FILE); renewals use the certificate itself.

Usage:
  weftctl token create --namespace NS --service-account SA [--ttl 1h] [-o token|json]

Flags:
  -n, --namespace NS          the workload's namespace (required)
  -s, --service-account SA    the workload's service account (required)
      --ttl DURATION          lifetime: 90s, 15m, 1h (default), 2d
  -o, --output FORMAT         token (default: the JWT alone, for a file) or json

${CA_HELP}`,
  options: {
    namespace: { type: 'string', short: 'n' },
    'service-account': { type: 'string', short: 's' },
    ttl: { type: 'string' },
    output: { type: 'string', short: 'o' },
    ...CA_OPTIONS,
  },

  async run(args, ctx) {
    const [action, extra] = args.positionals;
    if (action !== 'create') throw usageError(`error: ${action === undefined ? 'missing' : `unknown`} action${action === undefined ? '' : ` "${action}"`} (use: token create)`, 'token');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'token');
    const namespace = stringOpt(args, 'namespace');
    const serviceAccount = stringOpt(args, 'service-account');
    if (namespace === undefined || serviceAccount === undefined) throw usageError('error: --namespace and --service-account are required', 'token');
    const ttl = parseTtl(stringOpt(args, 'ttl') ?? '1h');
    if (ttl === null) throw usageError(`error: invalid --ttl "${stringOpt(args, 'ttl') ?? ''}" (e.g. 90s, 15m, 1h, 2d)`, 'token');
    const format = outputOpt(args, ['token', 'json'] as const, 'token', 'token');
    const res = await caClientFor(ctx.io.env, stringOpt(args, 'ca-url')).createToken(namespace, serviceAccount, ttl);
    ctx.io.out(format === 'json' ? json(res) : res.token);
    return 0;
  },
};
