import type { TypeUrl } from '@weft/xds';
import type { MeshChange } from '../model/xds-contract';
import { PushRequest } from './push-request';

const EMPTY: ReadonlySet<never> = new Set();

/**
 * Who watches what: `typeUrl → name → streams` (a stream watches a name it subscribed to explicitly or
 * holds through its wildcard subscription) and `typeUrl → wildcard streams`. A change to one resource
 * touches only the streams watching it: work proportional to its subscribers, never to the mesh.
 */
export class SubscriberIndex<S> {
  private readonly byName: Map<TypeUrl, Map<string, Set<S>>>;
  private readonly wildcards: Map<TypeUrl, Set<S>>;

  constructor() {
    this.byName = new Map();
    this.wildcards = new Map();
  }

  watch(typeUrl: TypeUrl, name: string, stream: S): void {
    let names = this.byName.get(typeUrl);
    if (names === undefined) {
      names = new Map();
      this.byName.set(typeUrl, names);
    }
    let streams = names.get(name);
    if (streams === undefined) {
      streams = new Set();
      names.set(name, streams);
    }
    streams.add(stream);
  }

  unwatch(typeUrl: TypeUrl, name: string, stream: S): void {
    const names = this.byName.get(typeUrl);
    const streams = names?.get(name);
    if (names === undefined || streams === undefined) return;
    streams.delete(stream);
    if (streams.size === 0) names.delete(name);
  }

  setWildcard(typeUrl: TypeUrl, stream: S, on: boolean): void {
    let streams = this.wildcards.get(typeUrl);
    if (streams === undefined) {
      if (!on) return;
      streams = new Set();
      this.wildcards.set(typeUrl, streams);
    }
    if (on) streams.add(stream);
    else streams.delete(stream);
  }

  watchers(typeUrl: TypeUrl, name: string): ReadonlySet<S> {
    return this.byName.get(typeUrl)?.get(name) ?? EMPTY;
  }

  wildcardWatchers(typeUrl: TypeUrl): ReadonlySet<S> {
    return this.wildcards.get(typeUrl) ?? EMPTY;
  }

  /** Number of (type, name) entries: for tests and debugging. */
  size(): number {
    let n = 0;
    for (const names of this.byName.values()) n += names.size;
    return n;
  }

  /**
   * One PushRequest per affected stream: the changed names it watches, plus the wildcard types it
   * subscribes to whose name set may have changed. Visits only the watchers of each changed name.
   */
  fanOut(change: MeshChange): Map<S, PushRequest> {
    const out = new Map<S, PushRequest>();
    const requestOf = (stream: S): PushRequest => {
      let request = out.get(stream);
      if (request === undefined) {
        request = new PushRequest(change.seenAt);
        request.merged = change instanceof PushRequest ? change.merged : 1;
        out.set(stream, request);
      }
      return request;
    };
    for (const [typeUrl, names] of change.resources) {
      const byName = this.byName.get(typeUrl);
      if (byName === undefined) continue;
      for (const name of names) {
        const streams = byName.get(name);
        if (streams === undefined) continue;
        for (const stream of streams) requestOf(stream).addName(typeUrl, name);
      }
    }
    for (const typeUrl of change.wildcard) {
      for (const stream of this.wildcardWatchers(typeUrl)) requestOf(stream).addWildcard(typeUrl);
    }
    return out;
  }
}
