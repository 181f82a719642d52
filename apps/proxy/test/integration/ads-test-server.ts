import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { Collector } from '@weft/testing';
import { adsDefinition, contentVersion, encodeResource, sotwRequiresAll, type DeltaDiscoveryRequest, type DiscoveryRequest, type EncodedResource } from '@weft/xds';

/** A request the server received, with the stream it came on (streams are numbered from 1). */
export interface SeenRequest {
  readonly stream: number;
  readonly delta: DeltaDiscoveryRequest | null;
  readonly sotw: DiscoveryRequest | null;
}

type Call = ServerDuplexStream<Record<string, unknown>, Record<string, unknown>>;

/** What one delta stream subscribed to, and holds, of one type. */
class DeltaType {
  wildcard = false;
  readonly names = new Set<string>();
  /** What the client was told: the version it holds, or null when it was told the name is removed. */
  readonly told = new Map<string, string | null>();
  started = false;
}

/**
 * A small ADS server for tests (delta and SotW, @grpc/grpc-js with weft's ADS definition): serves the
 * resources it is given to whoever subscribed, answers names it does not have as removed (delta),
 * records every request, and can stop and start again on the same port.
 */
export class AdsTestServer {
  readonly requests = new Collector<SeenRequest>();
  /** Names of this type the server does not answer at all (not even removed): a silent control plane. */
  readonly silent = new Set<string>();
  private readonly resources = new Map<string, Map<string, EncodedResource>>();
  private readonly deltaStreams = new Map<Call, Map<string, DeltaType>>();
  private readonly sotwStreams = new Map<Call, Map<string, readonly string[]>>();
  private server: Server | null = null;
  private streamSeq = 0;
  private nonce = 0;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = new Server();
    server.addService(adsDefinition().service, {
      DeltaAggregatedResources: (call: Call) => this.onDelta(call),
      StreamAggregatedResources: (call: Call) => this.onSotw(call),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))),
    );
    this.server = server;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Kills every stream and the listening socket (a crashed control plane). */
  stop(): void {
    this.server?.forceShutdown();
    this.server = null;
    this.deltaStreams.clear();
    this.sotwStreams.clear();
  }

  set(typeUrl: string, name: string, object: Record<string, unknown>): void {
    this.setEncoded(typeUrl, encodeResource(typeUrl, name, object));
  }

  setEncoded(typeUrl: string, resource: EncodedResource): void {
    this.byType(typeUrl).set(resource.name, resource);
    this.push(typeUrl);
  }

  remove(typeUrl: string, name: string): void {
    this.byType(typeUrl).delete(name);
    this.push(typeUrl);
  }

  /** Requests of one type (delta or SotW), in arrival order. */
  ofType(typeUrl: string): SeenRequest[] {
    return this.requests.items.filter((r) => (r.delta?.type_url ?? r.sotw?.type_url) === typeUrl);
  }

  private byType(typeUrl: string): Map<string, EncodedResource> {
    let m = this.resources.get(typeUrl);
    if (m === undefined) this.resources.set(typeUrl, (m = new Map()));
    return m;
  }

  private push(typeUrl: string): void {
    for (const [call, types] of this.deltaStreams) {
      const t = types.get(typeUrl);
      if (t !== undefined) this.answerDelta(call, typeUrl, t, false);
    }
    for (const [call, types] of this.sotwStreams) if (types.has(typeUrl)) this.answerSotw(call, typeUrl, types.get(typeUrl) ?? []);
  }

  // ---- delta ----

  private onDelta(call: Call): void {
    const stream = ++this.streamSeq;
    const types = new Map<string, DeltaType>();
    this.deltaStreams.set(call, types);
    call.on('data', (raw: Record<string, unknown>) => {
      const req = raw as DeltaDiscoveryRequest;
      this.requests.push({ stream, delta: req, sotw: null });
      const url = req.type_url ?? '';
      let t = types.get(url);
      if (t === undefined) types.set(url, (t = new DeltaType()));
      const subscribe = req.resource_names_subscribe ?? [];
      const unsubscribe = req.resource_names_unsubscribe ?? [];
      if (!t.started) for (const [n, v] of Object.entries(req.initial_resource_versions ?? {})) t.told.set(n, v);
      const first = !t.started;
      t.started = true;
      for (const n of subscribe) {
        if (n === '*') t.wildcard = true;
        else t.names.add(n);
      }
      for (const n of unsubscribe) {
        if (n === '*') t.wildcard = false;
        t.names.delete(n);
        t.told.delete(n);
      }
      if (first || subscribe.length > 0) this.answerDelta(call, url, t, first);
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
    call.on('close', () => this.deltaStreams.delete(call));
  }

  private answerDelta(call: Call, url: string, t: DeltaType, always: boolean): void {
    const all = this.byType(url);
    const resources: { name: string; version: string; resource: EncodedResource['any'] }[] = [];
    const removed: string[] = [];
    const wanted = t.wildcard ? new Set([...all.keys(), ...t.names]) : t.names;
    for (const name of wanted) {
      const r = all.get(name);
      if (r !== undefined) {
        if (t.told.get(name) !== r.version) resources.push({ name, version: r.version, resource: r.any });
      } else if (!this.silent.has(name) && t.told.get(name) !== null) removed.push(name);
    }
    for (const [name, v] of t.told) if (!wanted.has(name) && v !== null) removed.push(name);
    if (resources.length === 0 && removed.length === 0 && !always) return;
    for (const r of resources) t.told.set(r.name, r.version);
    for (const n of removed) t.told.set(n, null);
    call.write({ type_url: url, nonce: String(++this.nonce), system_version_info: String(this.nonce), resources, removed_resources: removed });
  }

  // ---- state of the world ----

  private onSotw(call: Call): void {
    const stream = ++this.streamSeq;
    const types = new Map<string, readonly string[]>();
    this.sotwStreams.set(call, types);
    call.on('data', (raw: Record<string, unknown>) => {
      const req = raw as DiscoveryRequest;
      this.requests.push({ stream, delta: null, sotw: req });
      const url = req.type_url ?? '';
      const names = req.resource_names ?? [];
      const before = types.get(url);
      types.set(url, names);
      if (before === undefined || before.join('\n') !== names.join('\n')) this.answerSotw(call, url, names);
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
    call.on('close', () => this.sotwStreams.delete(call));
  }

  private answerSotw(call: Call, url: string, names: readonly string[]): void {
    const all = this.byType(url);
    const picked = names.length === 0 && sotwRequiresAll(url) ? [...all.values()] : names.flatMap((n) => all.get(n) ?? []);
    const version = contentVersion(Buffer.from(picked.map((r) => `${r.name}@${r.version}`).join('\n')));
    call.write({ type_url: url, version_info: version, nonce: String(++this.nonce), resources: picked.map((r) => r.any) });
  }
}
