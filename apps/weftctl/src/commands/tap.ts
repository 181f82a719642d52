import { usageError } from '../errors';
import type { TapDropNotice, TapLine, TapRecordView } from '../telemetry-client';
import { outputOpt, stringOpt, type Command } from './command';
import { VIZ_HELP, VIZ_OPTIONS, countOpt, ms, secondsOpt, telemetryFor } from './viz-common';

/** Whether the proxy that saw the request saw a peer identity (mTLS). */
function tls(r: TapRecordView): boolean {
  return (r.reporter === 'destination' ? r.source.principal : r.destination.principal) !== null;
}

/** One request as `linkerd viz tap` prints it (one line: the proxies report finished requests). */
export function tapLine(r: TapRecordView): string {
  const dst = `${r.destination.service}.${r.destination.namespace}${r.destination.workload === null ? '' : `/${r.destination.workload}`}`;
  const parts = [
    'req',
    `proxy=${r.reporter === 'destination' ? 'in ' : 'out'}`,
    `src=${r.source.workload}.${r.source.namespace}`,
    `dst=${dst}`,
    `tls=${String(tls(r))}`,
    `:method=${r.method}`,
    `:authority=${r.authority}`,
    `:path=${r.path}`,
    `:status=${r.status}`,
    `latency=${ms(r.durationMs)}`,
  ];
  if (r.flags !== '-' && r.flags !== '') parts.push(`flags=${r.flags}`);
  if (r.traceId !== null) parts.push(`trace=${r.traceId}`);
  return parts.join(' ');
}

export function isDropNotice(line: TapLine): line is TapDropNotice {
  return typeof (line as { dropped?: unknown }).dropped === 'number' && !('path' in line);
}

export const tapCommand: Command = {
  name: 'tap',
  summary: 'Watch the requests of a service live (linkerd viz tap)',
  help: `Print every request to or from SERVICE as it finishes, as long as you watch (Ctrl-C stops).
Proxies send tapped requests only while somebody taps, at most 200 a second each; what they skip
is reported on standard error ("dropped N").

Usage:
  weftctl tap SERVICE [-n NAMESPACE] [--max K] [--duration 30s] [-o table|json]

Flags:
  -n, --namespace NS    only requests of SERVICE in this namespace (default: any namespace)
      --max K           stop after K requests
      --duration T      stop after T (30s, 2m, 1h)
  -o, --output FORMAT   table (default: one line per request) or json (one JSON object per line)

${VIZ_HELP}`,
  options: { namespace: { type: 'string', short: 'n' }, max: { type: 'string' }, duration: { type: 'string' }, ...VIZ_OPTIONS },

  async run(args, ctx) {
    const [service, extra] = args.positionals;
    if (service === undefined) throw usageError('error: tap needs a SERVICE', 'tap');
    if (extra !== undefined) throw usageError(`error: unexpected argument "${extra}"`, 'tap');
    const format = outputOpt(args, ['table', 'json'] as const, 'table', 'tap');
    const options = { service, namespace: stringOpt(args, 'namespace'), limit: countOpt(args, 'max', 'tap'), seconds: secondsOpt(args, 'duration', 'tap') };
    await telemetryFor(ctx.io, args).tap(options, (line) => {
      if (isDropNotice(line)) ctx.io.err(`dropped ${line.dropped} requests (proxy rate limit or a slow reader)`);
      else ctx.io.out(format === 'json' ? JSON.stringify(line) : tapLine(line));
    });
    return 0;
  },
};
