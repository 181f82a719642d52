#!/usr/bin/env node
// An open-loop, fixed-rate HTTP/1.1 load generator (wrk2-style). Request i is due at
// start + i/rate and goes to keep-alive connection i mod K; its latency is measured from when it
// was DUE, not when it was sent, so a stall counts for every request it delays (no coordinated
// omission). Also reports the service time (from the write) and how late the generator itself
// dispatched. Prints one JSON line.
//
//   node fixed-rate.mjs --port P --host H --path /x --rate 1000 --connections 10 --seconds 5 --warmup 1
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import hdr from 'hdr-histogram-js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: 'localhost' },
    path: { type: 'string', default: '/' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
  },
});
const port = Number(values.port);
const rate = Number(values.rate);
const K = Number(values.connections);
const warmupMs = Number(values.warmup) * 1000;
const total = Math.round(((Number(values.seconds) * 1000 + warmupMs) / 1000) * rate);
const intervalMs = 1000 / rate;
const REQUEST = Buffer.from(`GET ${values.path} HTTP/1.1\r\nHost: ${values.host}\r\nUser-Agent: weft-bench-fixed-rate\r\n\r\n`);
const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const corrected = histogram();
const service = histogram();
const lag = histogram();
const stats = { sent: 0, done: 0, non2xx: 0, errors: 0, reconnects: 0 };
let startMs = 0;

class Connection {
  constructor() {
    this.queue = [];
    this.head = 0;
    this.inFlight = false;
    this.dueMs = 0;
    this.sentMs = 0;
    this.buf = Buffer.alloc(0);
    this.socket = null;
    this.open();
  }

  open() {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => this.onClose());
  }

  enqueue(dueMs) {
    this.queue.push(dueMs);
    if (!this.inFlight) this.sendNext();
  }

  sendNext() {
    if (this.head === this.queue.length) return;
    this.dueMs = this.queue[this.head++];
    this.inFlight = true;
    this.sentMs = performance.now();
    stats.sent++;
    this.socket.write(REQUEST);
  }

  onData(d) {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      const used = responseLength(this.buf);
      if (used === 0) return;
      this.complete(this.buf.subarray(9, 12).toString());
      this.buf = this.buf.subarray(used);
    }
  }

  complete(status) {
    const now = performance.now();
    stats.done++;
    if (status[0] !== '2') stats.non2xx++;
    if (this.dueMs >= startMs + warmupMs) {
      corrected.recordValue(Math.max(1, Math.round((now - this.dueMs) * 1000)));
      service.recordValue(Math.max(1, Math.round((now - this.sentMs) * 1000)));
    }
    this.inFlight = false;
    this.sendNext();
  }

  onClose() {
    if (finished) return;
    if (this.inFlight) stats.errors++;
    this.inFlight = false;
    this.buf = Buffer.alloc(0);
    stats.reconnects++;
    this.open();
    this.sendNext();
  }
}

/** Bytes of the first complete response in `buf`, or 0 if it is not complete yet. */
function responseLength(buf) {
  const headerEnd = buf.indexOf(HEADER_END);
  if (headerEnd < 0) return 0;
  const head = buf.subarray(0, headerEnd).toString('latin1').toLowerCase();
  const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (cl !== null) {
    const len = headerEnd + 4 + Number(cl[1]);
    return buf.length >= len ? len : 0;
  }
  if (head.includes('transfer-encoding: chunked')) {
    const end = buf.indexOf(CHUNKED_END, headerEnd + 4);
    return end < 0 ? 0 : end + CHUNKED_END.length;
  }
  return headerEnd + 4;
}

const conns = Array.from({ length: K }, () => new Connection());
let next = 0;
let finished = false;

function tick() {
  const now = performance.now();
  while (next < total && startMs + next * intervalMs <= now) {
    const due = startMs + next * intervalMs;
    if (due >= startMs + warmupMs) lag.recordValue(Math.max(1, Math.round((now - due) * 1000)));
    conns[next % K].enqueue(due);
    next++;
  }
  if (next < total) setTimeout(tick, Math.max(0, startMs + next * intervalMs - performance.now()));
  else waitDrain(performance.now() + 5000);
}

function waitDrain(deadline) {
  if (stats.done + stats.errors < total && performance.now() < deadline) {
    setTimeout(() => waitDrain(deadline), 5);
    return;
  }
  finished = true;
  for (const c of conns) c.socket.destroy();
  const ms = (h, p) => h.getValueAtPercentile(p) / 1000;
  const measuredSeconds = Number(values.seconds);
  console.log(
    JSON.stringify({
      rate,
      connections: K,
      count: corrected.totalCount,
      achievedRps: corrected.totalCount / measuredSeconds,
      lost: total - stats.done,
      non2xx: stats.non2xx,
      errors: stats.errors,
      reconnects: stats.reconnects,
      p50ms: ms(corrected, 50),
      p90ms: ms(corrected, 90),
      p99ms: ms(corrected, 99),
      p999ms: ms(corrected, 99.9),
      maxMs: corrected.maxValue / 1000,
      serviceP50ms: ms(service, 50),
      serviceP99ms: ms(service, 99),
      dispatchLagP50ms: ms(lag, 50),
      dispatchLagP99ms: ms(lag, 99),
    }),
  );
  process.exit(0);
}

let connected = 0;
for (const c of conns) {
  c.socket.once('connect', () => {
    if (++connected === K) {
      startMs = performance.now();
      tick();
    }
  });
}
setTimeout(() => {
  if (connected < K) {
    console.log(JSON.stringify({ error: `connected ${connected}/${K} to 127.0.0.1:${port}` }));
    process.exit(1);
  }
}, 5000).unref();
