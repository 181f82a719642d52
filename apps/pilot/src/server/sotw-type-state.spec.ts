import type { EncodedResource } from '@weft/xds';
import type { TypeSource, WatchSink } from '../delta/type-source';
import { SotwTypeState, type SotwPlan } from './sotw-type-state';

class Source implements TypeSource {
  readonly versions = new Map<string, string>();
  wildcardNames(): readonly string[] {
    return [...this.versions.keys()];
  }
  resource(name: string): EncodedResource | null {
    const version = this.versions.get(name);
    return version === undefined ? null : { name, version, any: { type_url: 't', value: Buffer.from(version) } };
  }
}

const sink: WatchSink = { watch: () => undefined, unwatch: () => undefined, wildcard: () => undefined };
const NONE: ReadonlySet<string> = new Set();

function names(plan: SotwPlan): string[] {
  return plan.resources.map((r) => `${r.name}@${r.version}`);
}

describe('SotwTypeState', () => {
  let source: Source;
  let seq: number;

  beforeEach(() => {
    source = new Source();
    seq = 0;
  });

  /** Applies a request and, when it is not stale, plans the answer as the connection does. */
  function request(state: SotwTypeState, names: string[], nonce = '', error: string | null = null): SotwPlan | null {
    const first = state.lastSentAt === null && seq === 0;
    const outcome = state.request({ names, nonce, error }, 1000);
    if (outcome === null) return null;
    return state.plan(source, undefined, first || outcome.wildcardAdded, outcome.added);
  }

  function send(state: SotwTypeState, plan: SotwPlan | null, seenAt: number | null = null): string {
    if (plan === null || !plan.send) throw new Error('nothing to send');
    seq += 1;
    state.sent(`n${seq}`, plan, seenAt, 1000);
    return `n${seq}`;
  }

  it('LDS/CDS wildcard: every resource in each response, version_info a hash of the set', () => {
    source.versions.set('a', '1');
    source.versions.set('b', '1');
    const state = new SotwTypeState(true, sink);
    const plan = request(state, []);
    expect(plan?.send).toBe(true);
    expect(names(plan as SotwPlan)).toEqual(['a@1', 'b@1']);
    const n1 = send(state, plan);
    source.versions.set('b', '2');
    const push = state.plan(source, new Set(['b']), false, NONE);
    expect(names(push)).toEqual(['a@1', 'b@2']);
    expect(push.versionInfo).not.toBe(plan?.versionInfo);
    expect(n1).toBe('n1');
  });

  it('LDS/CDS: a deleted resource is absent from the next response', () => {
    source.versions.set('a', '1');
    source.versions.set('b', '1');
    const state = new SotwTypeState(true, sink);
    send(state, request(state, []));
    source.versions.delete('b');
    expect(names(state.plan(source, new Set(['b']), true, NONE))).toEqual(['a@1']);
  });

  it('answers an empty wildcard set (the client learns there is nothing)', () => {
    const state = new SotwTypeState(true, sink);
    const plan = request(state, []);
    expect(plan?.send).toBe(true);
    expect(plan?.resources).toEqual([]);
  });

  it('ACK by nonce → SYNCED; the ACK itself gets no response', () => {
    source.versions.set('a', '1');
    const state = new SotwTypeState(true, sink);
    const nonce = send(state, request(state, []));
    expect(state.status().state).toBe('STALE');
    const outcome = state.request({ names: [], nonce, error: null }, 2000);
    expect(outcome?.answer.kind).toBe('ack');
    expect(state.plan(source, undefined, false, outcome?.added ?? NONE).send).toBe(false);
    expect(state.status()).toMatchObject({ state: 'SYNCED', acked: { a: '1' }, lastAckAt: 2000 });
  });

  it('ignores a request with a stale nonce', () => {
    source.versions.set('a', '1');
    const state = new SotwTypeState(false, sink);
    send(state, request(state, ['a']));
    source.versions.set('a', '2');
    send(state, state.plan(source, new Set(['a']), false, NONE));
    expect(state.request({ names: ['a', 'b'], nonce: 'n1', error: null }, 1)).toBeNull();
    expect(state.names).toEqual(new Set(['a']));
  });

  it('EDS/RDS: only the requested names, only the changed ones on push', () => {
    source.versions.set('a', '1');
    source.versions.set('b', '1');
    source.versions.set('c', '1');
    const state = new SotwTypeState(false, sink);
    const plan = request(state, ['a', 'b']);
    expect(names(plan as SotwPlan)).toEqual(['a@1', 'b@1']);
    const nonce = send(state, plan);
    source.versions.set('b', '2');
    source.versions.set('c', '2');
    expect(names(state.plan(source, new Set(['b', 'c']), false, NONE))).toEqual(['b@2']);
    const more = state.request({ names: ['a', 'b', 'c'], nonce, error: null }, 1);
    expect(names(state.plan(source, undefined, false, more?.added ?? NONE))).toEqual(['c@2']);
  });

  it('NACK keeps the last ACKed state and the rejected version is not resent', () => {
    source.versions.set('a', '1');
    const state = new SotwTypeState(false, sink);
    const n1 = send(state, request(state, ['a']));
    state.request({ names: ['a'], nonce: n1, error: null }, 1);
    source.versions.set('a', '2');
    const n2 = send(state, state.plan(source, new Set(['a']), false, NONE), 500);
    const outcome = state.request({ names: ['a'], nonce: n2, error: 'invalid' }, 2);
    expect(outcome?.answer).toEqual({ kind: 'nack', seenAt: 500 });
    expect(state.status()).toMatchObject({ state: 'NACK', error: 'invalid', acked: { a: '1' } });
    expect(state.plan(source, new Set(['a']), false, NONE).send).toBe(false);
    expect(state.nacks).toBe(1);
  });

  it('explicit LDS names (gRPC clients): only those, and a newly added name resends the full set', () => {
    source.versions.set('echo:50051', '1');
    source.versions.set('other:80', '1');
    const state = new SotwTypeState(true, sink);
    const plan = request(state, ['echo:50051']);
    expect(names(plan as SotwPlan)).toEqual(['echo:50051@1']);
    const nonce = send(state, plan);
    const outcome = state.request({ names: ['echo:50051', 'other:80'], nonce, error: null }, 1);
    expect(names(state.plan(source, undefined, false, outcome?.added ?? NONE))).toEqual(['echo:50051@1', 'other:80@1']);
  });

  it('legacy wildcard ends once names are given; an empty list then unsubscribes all', () => {
    source.versions.set('a', '1');
    source.versions.set('b', '1');
    const state = new SotwTypeState(true, sink);
    const n1 = send(state, request(state, []));
    const named = state.request({ names: ['a'], nonce: n1, error: null }, 1);
    expect(state.wildcard).toBe(false);
    const plan = state.plan(source, undefined, false, named?.added ?? NONE);
    expect(names(plan)).toEqual(['a@1']);
    const n2 = send(state, plan);
    state.request({ names: [], nonce: n2, error: null }, 1);
    expect(state.wildcard).toBe(false);
    expect(state.status().subscribed).toEqual([]);
  });
});
