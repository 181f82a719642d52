import { usageError } from '../errors';
import { json, table } from '../output';
import type { TapRecordView } from '../telemetry-client';
import { flag, outputOpt, stringOpt, type Command } from './command';
import { isDropNotice } from './tap';
import { VIZ_HELP, VIZ_OPTIONS, countOpt, ms, pct, secondsOpt, telemetryFor } from './viz-common';

export interface TopRow {
  readonly source: string;
  readonly destination: string;
  readonly method: string;
  readonly path: string;
  count: number;
  ok: number;
  bestMs: number;
  worstMs: number;
  lastMs: number;
}

/** Tapped requests folded per (source, destination, method, path), busiest first. */
export class TopTable {
  private readonly rows = new Map<string, TopRow>();
  dropped = 0;

  add(r: TapRecordView): void {
    const source = `${r.source.workload}.${r.source.namespace}`;
    const destination = `${r.destination.service}.${r.destination.namespace}`;
    const key = JSON.stringify([source, destination, r.method, r.path]);
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { source, destination, method: r.method, path: r.path, count: 0, ok: 0, bestMs: r.durationMs, worstMs: r.durationMs, lastMs: r.durationMs };
      this.rows.set(key, row);
    }
    row.count++;
    if (r.status !== 0 && r.status < 500) row.ok++;
    row.bestMs = Math.min(row.bestMs, r.durationMs);
    row.worstMs = Math.max(row.worstMs, r.durationMs);
    row.lastMs = r.durationMs;
  }

  busiest(limit: number): TopRow[] {
    return [...this.rows.values()].sort((a, b) => b.count - a.count || a.path.localeCompare(b.path)).slice(0, limit);
  }

  render(limit: number): string {
    const rows = this.busiest(limit).map((r) => [r.source, r.destination, r.method, r.path, String(r.count), ms(r.bestMs), ms(r.worstMs), ms(r.lastMs), pct(r.ok / r.count)]);
    const body = table(['SOURCE', 'DESTINATION', 'METHOD', 'PATH', 'COUNT', 'BEST', 'WORST', 'LAST', 'SUCCESS'], rows);
    return this.dropped > 0 ? `${body}\n(${this.dropped} requests dropped by the tap: not counted)` : body;
  }
}

const CLEAR = '\x1b[H\x1b[2J';

export const topCommand: Command = {
  name: 'top',
  summary: 'The busiest paths of a service, live from the tap (linkerd viz top)',
  help: `Tap SERVICE and show its busiest paths (source, destination, method, path) with request count,
best/worst/last latency and success rate, refreshed every second until Ctrl-C or --duration.

Usage:
  weftctl top SERVICE [-n NAMESPACE] [--duration 10s] [--once] [--rows N] [-o table|json]

Flags:
  -n, --namespace NS    only requests of SERVICE in this namespace (default: any namespace)
      --duration T      stop after T (30s, 2m, 1h)
      --once            no refreshing screen: watch for --duration (default 5s), then print one table
      --rows N          at most N paths (default 20)
  -o, --output FORMAT   table (default) or json (implies --once)

${VIZ_HELP}`,
  options: { namespace: { type: 'string', short: 'n' }, duration: { type: 'string' }, once: { type: 'boolean' }, rows: { type: 'string' }, ...VIZ_OPTIONS },

  async run(args, ctx) {
    const [service, extra] = args.positionals;
    if (service === undefined) throw usageError('error: top needs a SERVICE', 'top');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'top');
    const format = outputOpt(args, ['table', 'json'] as const, 'table', 'top');
    const once = flag(args, 'once') || format === 'json';
    const limit = countOpt(args, 'rows', 'top') ?? 20;
    const seconds = secondsOpt(args, 'duration', 'top') ?? (once ? 5 : undefined);
    const top = new TopTable();
    const refresh = once ? null : setInterval(() => ctx.io.out(`${CLEAR}${top.render(limit)}`), 1000);
    try {
      await telemetryFor(ctx.io, args).tap({ service, namespace: stringOpt(args, 'namespace'), seconds }, (line) => {
        if (isDropNotice(line)) top.dropped += line.dropped;
        else top.add(line);
      });
    } finally {
      if (refresh !== null) clearInterval(refresh);
    }
    ctx.io.out(format === 'json' ? json({ dropped: top.dropped, paths: top.busiest(limit) }) : `${once ? '' : CLEAR}${top.render(limit)}`);
    return 0;
  },
};
