import type { EncodedResource } from '@weft/xds';
import { DeltaTypeState, type DeltaSubscription } from './delta-type-state';
import type { DeltaPlan, TypeSource, WatchSink } from './type-source';

/** A type's resources for one node: name → version; `wildcard` names what a wildcard gets. */
class Source implements TypeSource {
  readonly versions = new Map<string, string>();
  wildcard: string[] = [];

  set(name: string, version: string, inWildcard = true): void {
    this.versions.set(name, version);
    if (inWildcard && !this.wildcard.includes(name)) this.wildcard.push(name);
  }

  delete(name: string): void {
    this.versions.delete(name);
    this.wildcard = this.wildcard.filter((n) => n !== name);
  }

  wildcardNames(): readonly string[] {
    return this.wildcard;
  }

  resource(name: string): EncodedResource | null {
    const version = this.versions.get(name);
    return version === undefined ? null : { name, version, any: { type_url: 't', value: Buffer.from(version) } };
  }
}

class Sink implements WatchSink {
  readonly watched = new Set<string>();
  wildcardOn = false;
  watch(name: string): void {
    this.watched.add(name);
  }
  unwatch(name: string): void {
    this.watched.delete(name);
  }
  wildcard(on: boolean): void {
    this.wildcardOn = on;
  }
}

function sub(subscribe: string[] = [], unsubscribe: string[] = [], initialVersions: Record<string, string> = {}): DeltaSubscription {
  return { subscribe, unsubscribe, initialVersions };
}

/** name@version of what a plan sends, and the names it removes. */
function shape(plan: DeltaPlan): { sent: string[]; removed: string[] } {
  return { sent: plan.resources.map((r) => `${r.name}@${r.version}`).sort(), removed: [...plan.removed].sort() };
}

describe('DeltaTypeState', () => {
  let source: Source;
  let sink: Sink;
  let nonce: number;

  beforeEach(() => {
    source = new Source();
    sink = new Sink();
    nonce = 0;
  });

  /** Records the plan as sent and returns its nonce. */
  function send(state: DeltaTypeState, plan: DeltaPlan, seenAt: number | null = null): string {
    nonce += 1;
    state.sent(`n${nonce}`, plan, seenAt, 1000);
    return `n${nonce}`;
  }

  it('treats an empty first request as a wildcard for wildcard types (legacy) and sends the wildcard set', () => {
    source.set('a', '1');
    source.set('b', '1');
    const state = new DeltaTypeState(true, sink);
    expect(shape(state.subscribe(sub(), source))).toEqual({ sent: ['a@1', 'b@1'], removed: [] });
    expect(sink.wildcardOn).toBe(true);
    expect(state.status().subscribed).toEqual(['*']);
  });

  it('an empty first request is no wildcard for other types', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    expect(shape(state.subscribe(sub(), source))).toEqual({ sent: [], removed: [] });
    expect(sink.wildcardOn).toBe(false);
  });

  it('answers explicit names: existing ones sent, unknown ones removed at once', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    expect(shape(state.subscribe(sub(['a', 'ghost']), source))).toEqual({ sent: ['a@1'], removed: ['ghost'] });
    expect([...sink.watched].sort()).toEqual(['a', 'ghost']);
  });

  it('on push sends only what changed and never resends an unchanged version', () => {
    source.set('a', '1');
    source.set('b', '1');
    const state = new DeltaTypeState(false, sink);
    send(state, state.subscribe(sub(['a', 'b']), source));
    expect(shape(state.planPush(source, new Set(['a', 'b']), false))).toEqual({ sent: [], removed: [] });
    source.set('a', '2');
    expect(shape(state.planPush(source, new Set(['a', 'b']), false))).toEqual({ sent: ['a@2'], removed: [] });
  });

  it('removes a deleted resource the client holds, and says nothing about one it never had', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    send(state, state.subscribe(sub(['a', 'later']), source));
    source.delete('a');
    expect(shape(state.planPush(source, new Set(['a', 'later']), false))).toEqual({ sent: [], removed: ['a'] });
  });

  it('sends a name subscribed before it existed once it appears', () => {
    const state = new DeltaTypeState(false, sink);
    send(state, state.subscribe(sub(['later']), source));
    source.set('later', '1');
    expect(shape(state.planPush(source, new Set(['later']), false))).toEqual({ sent: ['later@1'], removed: [] });
  });

  it('NACK: reports the error, keeps the last good ACKed version and does not resend the rejected one', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    const first = send(state, state.subscribe(sub(['a']), source));
    expect(state.answer(first, null, 2000).kind).toBe('ack');
    source.set('a', '2');
    const bad = send(state, state.planPush(source, new Set(['a']), false), 1500);
    expect(state.answer(bad, 'bad cluster', 2500)).toEqual({ kind: 'nack', seenAt: 1500 });
    expect(state.status()).toMatchObject({ state: 'NACK', error: 'bad cluster', acked: { a: '1' } });
    expect(shape(state.planPush(source, new Set(['a']), false))).toEqual({ sent: [], removed: [] });
    source.set('a', '3');
    const fixed = send(state, state.planPush(source, new Set(['a']), false));
    expect(state.answer(fixed, null, 3000).kind).toBe('ack');
    expect(state.status()).toMatchObject({ state: 'SYNCED', error: null, acked: { a: '3' }, lastAckAt: 3000 });
  });

  it('is STALE while a response is unanswered and ignores unknown nonces', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    expect(state.status().state).toBe('NOT_SENT');
    const n = send(state, state.subscribe(sub(['a']), source));
    expect(state.status().state).toBe('STALE');
    expect(state.answer('nope', null, 1).kind).toBe('unknown');
    expect(state.answer(n, null, 1).kind).toBe('ack');
    expect(state.status().state).toBe('SYNCED');
  });

  it('reconnect: initial_resource_versions → sends only what differs and removes what vanished (wildcard)', () => {
    source.set('same', '1');
    source.set('changed', '2');
    source.set('new', '1');
    const state = new DeltaTypeState(true, sink);
    const plan = state.subscribe(sub([], [], { same: '1', changed: '1', gone: '1' }), source);
    expect(shape(plan)).toEqual({ sent: ['changed@2', 'new@1'], removed: ['gone'] });
    expect(state.status()).toMatchObject({ state: 'SYNCED', acked: { same: '1', changed: '1', gone: '1' } });
  });

  it('reconnect with explicit names: only what differs', () => {
    source.set('a', '1');
    source.set('b', '2');
    const state = new DeltaTypeState(false, sink);
    const plan = state.subscribe(sub(['a', 'b', 'c'], [], { a: '1', b: '1', c: '1' }), source);
    expect(shape(plan)).toEqual({ sent: ['b@2'], removed: ['c'] });
  });

  it('resends a name the client subscribes to again after the first request (it may have forgotten it)', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    send(state, state.subscribe(sub(['a']), source));
    expect(shape(state.subscribe(sub(['a']), source))).toEqual({ sent: ['a@1'], removed: [] });
  });

  it('unsubscribe: the name is no longer watched nor pushed', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(false, sink);
    send(state, state.subscribe(sub(['a']), source));
    expect(shape(state.subscribe(sub([], ['a']), source))).toEqual({ sent: [], removed: [] });
    expect(sink.watched.has('a')).toBe(false);
    source.set('a', '2');
    expect(shape(state.planPush(source, new Set(['a']), false))).toEqual({ sent: [], removed: [] });
  });

  it('unsubscribing an explicit name while the wildcard stays: resent when covered, removed when not', () => {
    source.set('covered', '1');
    source.set('extra', '1', false);
    const state = new DeltaTypeState(true, sink);
    send(state, state.subscribe(sub(['*', 'covered', 'extra']), source));
    expect(shape(state.subscribe(sub([], ['covered', 'extra']), source))).toEqual({ sent: ['covered@1'], removed: ['extra'] });
  });

  it('unsubscribing the wildcard drops what only the wildcard brought', () => {
    source.set('w', '1');
    source.set('x', '1', false);
    const state = new DeltaTypeState(true, sink);
    send(state, state.subscribe(sub(['*', 'x']), source));
    state.subscribe(sub([], ['*']), source);
    expect(sink.wildcardOn).toBe(false);
    expect([...sink.watched]).toEqual(['x']);
    expect(state.status().subscribed).toEqual(['x']);
  });

  it('wildcard set changes: new names sent, names that left removed', () => {
    source.set('a', '1');
    source.set('b', '1');
    const state = new DeltaTypeState(true, sink);
    send(state, state.subscribe(sub(), source));
    source.delete('b');
    source.set('c', '1');
    expect(shape(state.planPush(source, undefined, true))).toEqual({ sent: ['c@1'], removed: ['b'] });
  });

  it('a named change reaches a wildcard stream only for names it holds', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(true, sink);
    send(state, state.subscribe(sub(), source));
    source.set('a', '2');
    source.set('unrelated', '1', false);
    expect(shape(state.planPush(source, new Set(['a', 'unrelated']), false))).toEqual({ sent: ['a@2'], removed: [] });
  });

  it('release unwatches everything', () => {
    source.set('a', '1');
    const state = new DeltaTypeState(true, sink);
    send(state, state.subscribe(sub(['*', 'a', 'b']), source));
    state.release();
    expect(sink.watched.size).toBe(0);
    expect(sink.wildcardOn).toBe(false);
  });
});
