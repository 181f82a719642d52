import type { ProxyStatusView } from '@weft/api';
import { usageError } from '../errors';
import { age, json, table, yamlDocuments } from '../output';
import { COMMON_HELP, outputOpt, stringOpt, type Command } from './command';

const TYPES = ['cds', 'lds', 'eds', 'rds', 'vhds'] as const;

/** istioctl's per-type cell: the sync state, IGNORED when the proxy has not subscribed to the type. */
function stateOf(p: ProxyStatusView, type: string): string {
  return p.types[type]?.state ?? 'IGNORED';
}

export function proxyStatusTable(proxies: readonly ProxyStatusView[]): string {
  const header = ['NAME', 'NAMESPACE', ...TYPES.map((t) => t.toUpperCase()), 'PILOT', 'PROTOCOL', 'XDS-TLS', 'AGE'];
  const rows = proxies.map((p) => [p.proxyId, p.node.namespace, ...TYPES.map((t) => stateOf(p, t)), p.replica, p.protocol, xdsTls(p), age(p.connectedAt)]);
  return table(header, rows);
}

/** How the proxy reached pilot: its verified identity on the mutual-TLS port (`ns/<ns>/sa/<sa>`), or plaintext. */
function xdsTls(p: ProxyStatusView): string {
  const id = p.peerIdentity ?? null;
  if (id === null) return 'plaintext';
  const at = id.indexOf('/ns/');
  return at < 0 ? id : id.slice(at + 1);
}

function detail(p: ProxyStatusView): string {
  const rows = Object.entries(p.types).map(([type, t]) => [
    type.toUpperCase(),
    t.state,
    t.subscribed === undefined ? '' : t.subscribed.join(',') || '-',
    t.error ?? '',
  ]);
  const tls = p.peerIdentity ? `over mutual TLS as ${p.peerIdentity}` : 'in plaintext';
  const head = `Proxy ${p.proxyId} (namespace ${p.node.namespace}) on pilot ${p.replica}, ${p.protocol} xDS ${tls}, connected ${age(p.connectedAt)} ago`;
  return `${head}\n${table(['TYPE', 'STATE', 'SUBSCRIBED', 'ERROR'], rows)}`;
}

export const proxyStatusCommand: Command = {
  name: 'proxy-status',
  summary: 'Sync state of every connected proxy (istioctl proxy-status)',
  help: `Show, for each proxy connected to any pilot replica, whether it holds the latest config of each
xDS type: SYNCED (acked the latest), STALE (sent, not acked yet), NACK (rejected; see the error),
NOT_SENT, IGNORED (not subscribed).

Usage:
  weftctl proxy-status [PROXY] [-n NAMESPACE] [-o table|json|yaml]

Flags:
  -n, --namespace NS    only proxies of this namespace
  -o, --output FORMAT   table (default), json or yaml

${COMMON_HELP}`,
  options: { namespace: { type: 'string', short: 'n' }, output: { type: 'string', short: 'o' } },

  async run(args, ctx) {
    const [proxyId, extra] = args.positionals;
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'proxy-status');
    const format = outputOpt(args, ['table', 'json', 'yaml'] as const, 'table', 'proxy-status');
    if (proxyId !== undefined) {
      const p = await ctx.pilot().proxy(proxyId);
      ctx.io.out(format === 'json' ? json(p) : format === 'yaml' ? yamlDocuments([p]) : detail(p));
      return 0;
    }
    const ns = stringOpt(args, 'namespace');
    const proxies = (await ctx.pilot().proxies()).proxies.filter((p) => ns === undefined || p.node.namespace === ns);
    if (format === 'json') ctx.io.out(json(proxies));
    else if (format === 'yaml') ctx.io.out(yamlDocuments([proxies]));
    else if (proxies.length === 0) ctx.io.err('No proxies connected.');
    else ctx.io.out(proxyStatusTable(proxies));
    return 0;
  },
};
