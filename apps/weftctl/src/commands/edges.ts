import { usageError } from '../errors';
import { json, table } from '../output';
import type { EdgeStatView } from '../telemetry-client';
import { outputOpt, type Command } from './command';
import { NAMESPACE_OPTIONS, VIZ_HELP, VIZ_OPTIONS, WINDOW_OPTIONS, ms, namespaceOpt, pct, rps, telemetryFor, windowOpt } from './viz-common';

/** `√` when every request of the window was mutual TLS, the share when only some were. */
export function secured(rate: number | null): string {
  if (rate === null) return '-';
  if (rate >= 1) return '√';
  return rate === 0 ? 'no' : `partly (${pct(rate)})`;
}

export function edgesTable(edges: readonly EdgeStatView[]): string {
  const rows = edges.map((e) => [
    e.source.workload,
    e.destination.service,
    e.source.namespace,
    e.destination.namespace,
    pct(e.successRate),
    rps(e.rps),
    ms(e.latencyMs?.p99),
    secured(e.mtlsRate),
  ]);
  return table(['SRC', 'DST', 'SRC_NS', 'DST_NS', 'SUCCESS', 'RPS', 'LATENCY_P99', 'SECURED'], rows);
}

export const edgesCommand: Command = {
  name: 'edges',
  summary: 'Calls between workloads and services, and whether mTLS secures them (linkerd viz edges)',
  help: `Show each (calling workload → called service) pair seen over a time window, with its success
rate, requests per second, p99 latency and SECURED: √ when every request was mutual TLS.

Usage:
  weftctl edges [-n NAMESPACE | -A] [-w 1m|5m|1h] [-o table|json]

Flags:
  -n, --namespace NS        edges with either end in this namespace (default "default")
  -A, --all-namespaces      every namespace
  -w, --window WINDOW       1m (default), 5m or 1h (also -t, --time-window)
  -o, --output FORMAT       table (default) or json

${VIZ_HELP}`,
  options: { ...NAMESPACE_OPTIONS, ...WINDOW_OPTIONS, ...VIZ_OPTIONS },

  async run(args, ctx) {
    if (args.positionals.length > 0) throw usageError(`error: unexpected argument "${args.positionals[0] ?? ''}"`, 'edges');
    const format = outputOpt(args, ['table', 'json'] as const, 'table', 'edges');
    const ns = namespaceOpt(args, 'edges');
    const window = windowOpt(args, 'edges');
    const edges = (await telemetryFor(ctx.io, args).edges(window)).edges.filter(
      (e) => ns === null || e.source.namespace === ns || e.destination.namespace === ns,
    );
    if (format === 'json') ctx.io.out(json(edges));
    else if (edges.length === 0) ctx.io.err(`No edges found${ns === null ? '' : ` in namespace ${ns}`} in the last ${window}.`);
    else ctx.io.out(edgesTable(edges));
    return 0;
  },
};
