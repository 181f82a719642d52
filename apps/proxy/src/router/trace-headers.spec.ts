import { PEER_HEADER } from '../observability/peer-metadata';
import { upstreamRequestHeaders } from './headers';
import { configureTracing, ensureTraceHeaders, takeSpanIds } from './trace-headers';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER = 'b7ad6b7169203331';

/** Incoming headers → the upstream list as route-stage builds it (upstreamRequestHeaders, then the trace headers). */
function run(headers: Record<string, string>, peer: string | null = null) {
  const out = upstreamRequestHeaders(Object.entries(headers).flat(), 'app').slice(2); // without the host pair
  const ids = ensureTraceHeaders(headers, out, false, peer);
  const sent: Record<string, string> = {};
  for (let i = 0; i < out.length; i += 2) sent[out[i]] = out[i + 1];
  const peers = out.filter((_, i) => i % 2 === 1 && out[i - 1] === PEER_HEADER);
  return { ids, sent, span: takeSpanIds(headers), names: out.filter((_, i) => i % 2 === 0), peers };
}

describe('trace headers', () => {
  afterEach(() => configureTracing(null));

  it('tracing off: passes the caller\'s ids on untouched and adds what is missing', () => {
    const r = run({ traceparent: `00-${TRACE}-${CALLER}-01` });
    expect(r.sent['traceparent']).toBe(`00-${TRACE}-${CALLER}-01`);
    expect(r.sent['x-b3-traceid']).toBe(TRACE);
    expect(r.span).toBeNull();
    expect(r.sent[PEER_HEADER]).toBeUndefined();
  });

  it.each([
    ['a sampled traceparent', { traceparent: `00-${TRACE}-${CALLER}-01` }, 0, true, CALLER],
    ['an unsampled traceparent', { traceparent: `00-${TRACE}-${CALLER}-00` }, 100, false, CALLER],
    ['B3 sampled', { 'x-b3-traceid': TRACE, 'x-b3-spanid': CALLER, 'x-b3-sampled': '1' }, 0, true, CALLER],
    ['nothing, 100 %', {}, 100, true, null],
    ['nothing, 0 %', {}, 0, false, null],
  ])('tracing on, %s: the caller decides, else the sampling percentage', (_what, headers: Record<string, string>, percent, sampled, parent) => {
    configureTracing({ samplingPercent: percent });
    const r = run(headers);
    const [, traceId, spanId, flags] = r.sent['traceparent'].split('-');
    expect(traceId).toBe(r.ids.traceId);
    expect(flags).toBe(sampled ? '01' : '00');
    if (sampled) {
      expect(r.span).toEqual({ traceId: r.ids.traceId, spanId, parentId: parent });
      expect(spanId).not.toBe(CALLER);
    } else {
      expect(r.span).toBeNull();
    }
    if (!sampled && parent !== null) expect(spanId).toBe(CALLER);
  });

  it('tracing on: the new span id replaces x-b3-spanid too', () => {
    configureTracing({ samplingPercent: 100 });
    const inbound = run({ traceparent: `00-${TRACE}-${CALLER}-01`, 'x-b3-traceid': TRACE, 'x-b3-spanid': CALLER });
    expect(inbound.sent['x-b3-spanid']).toBe(inbound.span?.spanId);
    expect(inbound.names.filter((n) => n === 'traceparent')).toHaveLength(1);
  });

  it.each([
    ['tracing off', false],
    ['tracing on', true],
  ])('%s: an incoming peer header is always removed, ours added only when given', (_what, on) => {
    if (on) configureTracing({ samplingPercent: 100 });
    expect(run({ [PEER_HEADER]: 'productpage-v1.default' }).names).not.toContain(PEER_HEADER);
    expect(run({}, 'reviews-v1.default').peers).toEqual(['reviews-v1.default']);
    // An app cannot set its own (spoofed) peer header: it is replaced, never doubled.
    expect(run({ [PEER_HEADER]: 'admin.kube-system' }, 'reviews-v1.default').peers).toEqual(['reviews-v1.default']);
  });
});
