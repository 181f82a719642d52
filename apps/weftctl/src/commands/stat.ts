import { usageError } from '../errors';
import { json, table } from '../output';
import type { ServiceStatView, TopologyNodeView } from '../telemetry-client';
import { outputOpt, type Command } from './command';
import { NAMESPACE_OPTIONS, VIZ_HELP, VIZ_OPTIONS, WINDOW_OPTIONS, ms, namespaceOpt, pct, rps, telemetryFor, windowOpt } from './viz-common';

const KINDS: Readonly<Record<string, 'svc' | 'deploy'>> = {
  svc: 'svc',
  service: 'svc',
  services: 'svc',
  deploy: 'deploy',
  deployment: 'deploy',
  deployments: 'deploy',
  workload: 'deploy',
  workloads: 'deploy',
};

type Row = ServiceStatView | TopologyNodeView;
const nameOf = (r: Row): string => ('service' in r ? r.service : r.name);

/** Linkerd's `viz stat` table; NAMESPACE first when several namespaces are shown. */
export function statTable(rows: readonly Row[], withNamespace: boolean): string {
  const header = ['NAME', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN'];
  const cells = rows.map((r) => {
    const line = [
      nameOf(r),
      pct(r.successRate),
      rps(r.rps),
      ms(r.latencyMs?.p50),
      ms(r.latencyMs?.p95),
      ms(r.latencyMs?.p99),
      String(Math.max(0, r.tcp.connectionsOpened - r.tcp.connectionsClosed)),
    ];
    return withNamespace ? [r.namespace, ...line] : line;
  });
  return table(withNamespace ? ['NAMESPACE', ...header] : header, cells);
}

export const statCommand: Command = {
  name: 'stat',
  summary: 'Golden signals per service or workload (linkerd viz stat)',
  help: `Show success rate, requests per second, latency percentiles and open TCP connections over a
time window, read from telemetry (any replica answers for the whole mesh).

  svc (default)   per destination service: every request that arrived at it
  deploy          per calling workload: every request it sent (the windows key traffic by calling
                  workload and called service; per destination workload, query /metrics)

Usage:
  weftctl stat [svc|deploy] [NAME] [-n NAMESPACE | -A] [-w 1m|5m|1h] [-o table|json]

Flags:
  -n, --namespace NS        namespace (default "default")
  -A, --all-namespaces      every namespace
  -w, --window WINDOW       1m (default), 5m or 1h (also -t, --time-window)
  -o, --output FORMAT       table (default) or json

TCP_CONN is the connections opened minus those closed within the window.

${VIZ_HELP}`,
  options: { ...NAMESPACE_OPTIONS, ...WINDOW_OPTIONS, ...VIZ_OPTIONS },

  async run(args, ctx) {
    const [first, second, extra] = args.positionals;
    const kind = first === undefined ? 'svc' : KINDS[first.toLowerCase()];
    if (kind === undefined) throw usageError(`error: unknown resource type "${first ?? ''}" (use svc or deploy)`, 'stat');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'stat');
    const format = outputOpt(args, ['table', 'json'] as const, 'table', 'stat');
    const ns = namespaceOpt(args, 'stat');
    const window = windowOpt(args, 'stat');
    const client = telemetryFor(ctx.io, args);
    const all: Row[] =
      kind === 'svc' ? (await client.stat(window)).services : (await client.topology(window)).nodes.filter((n) => n.kind === 'workload');
    const rows = all.filter((r) => (ns === null || r.namespace === ns) && (second === undefined || nameOf(r) === second));
    if (format === 'json') ctx.io.out(json(rows));
    else if (rows.length === 0) ctx.io.err(`No traffic found${ns === null ? '' : ` in namespace ${ns}`} in the last ${window}.`);
    else ctx.io.out(statTable(rows, ns === null));
    return 0;
  },
};
