import type { Histogram } from 'hdr-histogram-js';
import { decodeLatency, newLatencyHistogram } from '@weft/api';
import type { EdgeCounters } from './window.repository';

/** Requests/s, success rate, latency percentiles, bytes and TCP activity of something over a window. */
export interface GoldenSignals {
  readonly requests: number;
  readonly rps: number;
  /** Successful requests / requests (null without requests). */
  readonly successRate: number | null;
  /** Milliseconds (null without requests). */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Share of requests over mutual TLS (null without requests). */
  readonly mtlsRate: number | null;
  readonly tcp: { readonly connectionsOpened: number; readonly connectionsClosed: number; readonly sentBytes: number; readonly receivedBytes: number };
}

/** Sums counters and merges histograms (decoded lazily, once each) of several edges. */
export class SignalsBuilder {
  readonly counters: EdgeCounters;
  private readonly encoded: string[] = [];

  /** `decoded`: a cache shared by the builders of one response (topology merges each histogram twice). */
  constructor(
    zero: EdgeCounters,
    private readonly decoded: Map<string, Histogram | null> = new Map(),
  ) {
    this.counters = zero;
  }

  add(c: EdgeCounters, histograms: readonly string[]): void {
    for (const k of Object.keys(c) as (keyof EdgeCounters)[]) this.counters[k] += c[k];
    for (const h of histograms) this.encoded.push(h);
  }

  build(seconds: number): GoldenSignals {
    const c = this.counters;
    const latency = c.req > 0 ? this.percentiles() : null;
    return {
      requests: c.req,
      rps: round(c.req / seconds, 3),
      successRate: c.req > 0 ? round((c.req - c.fail) / c.req, 4) : null,
      latencyMs: latency,
      requestBytes: c.reqB,
      responseBytes: c.respB,
      mtlsRate: c.req > 0 ? round(c.mtls / c.req, 4) : null,
      tcp: { connectionsOpened: c.tcpO, connectionsClosed: c.tcpC, sentBytes: c.tcpS, receivedBytes: c.tcpR },
    };
  }

  private percentiles(): GoldenSignals['latencyMs'] {
    const merged: Histogram = newLatencyHistogram();
    for (const e of this.encoded) {
      const h = decodeCached(this.decoded, e);
      if (h !== null) merged.add(h);
    }
    if (merged.totalCount === 0) return null;
    return { p50: merged.getValueAtPercentile(50), p95: merged.getValueAtPercentile(95), p99: merged.getValueAtPercentile(99) };
  }
}

/** A stored histogram, decoded once per response; a corrupt one (null) only costs precision, counters stay exact. */
function decodeCached(cache: Map<string, Histogram | null>, encoded: string): Histogram | null {
  let h = cache.get(encoded);
  if (h === undefined) {
    try {
      h = decodeLatency(encoded);
    } catch {
      h = null;
    }
    cache.set(encoded, h);
  }
  return h;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
