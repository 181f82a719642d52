import { TAP_EXPIRY_MS, type AccessLogRecord, type TapBatch } from '@weft/api';
import { TapResponder } from './tap-responder';

const record = (service: string, workload = 'productpage-v1'): AccessLogRecord => ({
  time: 1,
  traceId: null,
  requestId: null,
  source: { workload, namespace: 'default', principal: null },
  destination: { service, workload: null, namespace: 'default', principal: null },
  method: 'GET',
  path: '/',
  status: 200,
  flags: '-',
  durationMs: 1,
});

function responder(up = true) {
  const clock = { t: 1_000_000 };
  const sent: { subject: string; batch: TapBatch }[] = [];
  const dropped = { n: 0 };
  const sink = { publish: (subject: string, payload: string) => up && sent.push({ subject, batch: JSON.parse(payload) as TapBatch }) > 0 };
  const tap = new TapResponder({ id: 'p1', workload: 'productpage-v1', namespace: 'default' }, 'x.', sink, (n) => (dropped.n += n), () => clock.t);
  const announce = (tapId: string, service: string, namespace: string | null = null, expiresAt = clock.t + 60_000) =>
    tap.onRequest(Buffer.from(JSON.stringify({ v: 1, tapId, service, namespace, expiresAt })));
  return { tap, clock, sent, dropped, announce };
}

describe('TapResponder', () => {
  it('matches the destination service or the source workload, namespace too when given', () => {
    const { tap, sent, announce } = responder();
    announce('tap-reviews-1', 'reviews');
    announce('tap-pp-00001', 'productpage-v1', 'other');
    tap.offer(record('reviews'), 'source', 'reviews:9080');
    tap.offer(record('ratings'), 'source', 'ratings:9080');
    tap.tick();
    expect(sent.map((s) => [s.subject, s.batch.records.length])).toEqual([['x.weft.telemetry.tap.records.tap-reviews-1', 1]]);
    expect(sent[0]?.batch.records[0]).toMatchObject({ reporter: 'source', authority: 'reviews:9080', destination: { service: 'reviews' } });
    tap.close();
  });

  it('sends at most 200 records a second per tap and counts the rest in the batch', () => {
    const { tap, clock, sent, dropped, announce } = responder();
    announce('tap-reviews-1', 'reviews');
    for (let i = 0; i < 250; i++) tap.offer(record('reviews'), 'destination', 'reviews');
    tap.tick();
    clock.t += 1000;
    tap.offer(record('reviews'), 'destination', 'reviews');
    tap.tick();
    expect(sent.map((s) => [s.batch.records.length, s.batch.dropped])).toEqual([[200, 50], [1, 0]]);
    expect(dropped.n).toBe(50);
    tap.close();
  });

  it('forgets a tap without heartbeat or past its expiry, and ignores invalid requests', () => {
    const { tap, clock, announce } = responder();
    tap.onRequest(Buffer.from('{"v":1,"tapId":"bad id!","service":"x","expiresAt":1}'));
    expect(tap.active).toBe(0);
    announce('tap-reviews-1', 'reviews');
    announce('tap-short-01', 'reviews', null, clock.t + 500);
    clock.t += 1000;
    tap.tick();
    expect(tap.active).toBe(1);
    clock.t += TAP_EXPIRY_MS;
    tap.tick();
    expect(tap.active).toBe(0);
    tap.close();
  });

  it('counts a batch that cannot be published (NATS away) in the next one', () => {
    const { tap, sent, dropped, announce } = responder(false);
    announce('tap-reviews-1', 'reviews');
    tap.offer(record('reviews'), 'source', 'reviews');
    tap.tick();
    expect(sent).toEqual([]);
    expect(dropped.n).toBe(1);
    tap.close();
  });
});
