import type { Redis } from 'ioredis';
import { ReplyError } from 'ioredis';
import {
  type Instance,
  type InstanceSpec,
  type Service,
  type ServiceSpec,
  type Source,
  type RegistryEventType,
} from '@weft/api';
import { WeftError } from '@weft/shared';
import { DELETE_SERVICE, DEREGISTER, HEARTBEAT, REGISTER, SET_PROBE, SWEEP, UPSERT_SERVICE } from './registry.lua';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

function digestOf(spec: InstanceSpec, source: Source): string {
  return createHash('sha1').update(source).update(canonicalJson(spec)).digest('base64');
}

/** Parses a stored instance, dropping the store's private fields. */
function toInstance(json: string): Instance {
  const doc = JSON.parse(json) as Instance & { digest?: string };
  delete doc.digest;
  return doc;
}

/** One change made by the store: the caller publishes it as one event. */
export interface StoreChange {
  readonly type: RegistryEventType;
  readonly namespace: string;
  readonly service: string;
  readonly revision: number;
  readonly instance: Instance | null;
  readonly serviceState: Service | null;
}

type Cmd = (...args: (string | number)[]) => Promise<unknown>;
interface ScriptedRedis {
  weftUpsertService: Cmd;
  weftDeleteService: Cmd;
  weftRegister: Cmd;
  weftDeregister: Cmd;
  weftHeartbeat: Cmd;
  weftSetProbe: Cmd;
  weftSweep: Cmd;
}

const SCRIPTS: [keyof ScriptedRedis, number, string][] = [
  ['weftUpsertService', 4, UPSERT_SERVICE],
  ['weftDeleteService', 5, DELETE_SERVICE],
  ['weftRegister', 4, REGISTER],
  ['weftDeregister', 3, DEREGISTER],
  ['weftHeartbeat', 3, HEARTBEAT],
  ['weftSetProbe', 2, SET_PROBE],
  ['weftSweep', 1, SWEEP],
];

/** Maps `WEFT_NOT_FOUND …` / `WEFT_CONFLICT …` / `WEFT_INVALID <field>: …` script errors to typed errors. */
function mapScriptError(err: unknown, what: string): never {
  if (err instanceof ReplyError || err instanceof Error) {
    const message = (err as Error).message;
    const invalid = /WEFT_INVALID (\S+): (.*)$/.exec(message);
    if (invalid !== null) {
      throw new WeftError('WEFT_ERR_API_INVALID_ARGUMENT', 'invalid-argument', `invalid ${what}: ${invalid[1]}: ${invalid[2]}`, {
        issues: [{ path: invalid[1], message: invalid[2] }],
      });
    }
    const m = /WEFT_(NOT_FOUND|CONFLICT) (.*)$/.exec(message);
    if (m !== null && m[1] === 'NOT_FOUND') {
      throw new WeftError('WEFT_ERR_REGISTRY_NOT_FOUND', 'not-found', `${what}: ${m[2]}`);
    }
    if (m !== null) throw new WeftError('WEFT_ERR_REGISTRY_CONFLICT', 'conflict', `${what}: ${m[2]}`);
  }
  throw new WeftError('WEFT_ERR_REGISTRY_STORE', 'unavailable', `${what}: registry store unavailable`, { cause: err });
}

/**
 * The registry's state in Redis. Every mutation is one Lua script (atomic across replicas); reads are
 * consistent snapshots (MULTI). Keys start with `prefix` so test runs and deployments can share a server.
 */
export class RegistryStore {
  private readonly r: Redis & ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    for (const [name, numberOfKeys, lua] of SCRIPTS) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
    }
    this.r = redis as Redis & ScriptedRedis;
  }

  private k(kind: string, ns: string, name: string): string {
    return `${this.prefix}${kind}:${ns}/${name}`;
  }

  private get svcsKey(): string {
    return `${this.prefix}svcs`;
  }

  private get ttlKey(): string {
    return `${this.prefix}ttl`;
  }

  /**
   * Creates or replaces a service. `instanceChanges` lists the instances whose probe state followed a
   * health check being added or removed, each with its own revision after the service's.
   */
  async upsertService(
    spec: ServiceSpec,
    source: Source,
  ): Promise<{ changed: boolean; service: Service; instanceChanges: StoreChange[] }> {
    const { namespace: ns, name } = spec;
    const res = (await this.r
      .weftUpsertService(
        this.k('svc', ns, name),
        this.svcsKey,
        this.k('rev', ns, name),
        this.k('inst', ns, name),
        `${ns}/${name}`,
        canonicalJson(spec),
        source,
      )
      .catch((e: unknown) => mapScriptError(e, `service ${ns}/${name}`))) as (number | string)[];
    const [changed, revision, createdAt, updatedAt] = res.slice(0, 4).map(Number);
    const instanceChanges: StoreChange[] = [];
    for (let i = 4; i < res.length; i += 2) {
      instanceChanges.push(this.change('instance.health', ns, name, Number(res[i]), String(res[i + 1])));
    }
    return { changed: changed === 1, service: { ...spec, source, revision, createdAt, updatedAt }, instanceChanges };
  }

  async deleteService(ns: string, name: string, source: Source): Promise<number> {
    return (await this.r
      .weftDeleteService(
        this.k('svc', ns, name),
        this.svcsKey,
        this.k('rev', ns, name),
        this.k('inst', ns, name),
        this.ttlKey,
        `${ns}/${name}`,
        source,
      )
      .catch((e: unknown) => mapScriptError(e, `service ${ns}/${name}`))) as number;
  }

  async getService(ns: string, name: string): Promise<Service | null> {
    const res = await this.r.multi().hgetall(this.k('svc', ns, name)).get(this.k('rev', ns, name)).exec();
    return this.toService(res?.[0]?.[1] as Record<string, string>, res?.[1]?.[1] as string | null);
  }

  private toService(h: Record<string, string> | undefined, rev: string | null): Service | null {
    if (h === undefined || h['spec'] === undefined) return null;
    const spec = JSON.parse(h['spec']) as ServiceSpec;
    return {
      ...spec,
      source: h['source'] as Source,
      revision: Number(rev ?? 0),
      createdAt: Number(h['createdAt']),
      updatedAt: Number(h['updatedAt']),
    };
  }

  async listServices(namespace: string | null): Promise<Service[]> {
    const members = (await this.r.smembers(this.svcsKey)).filter(
      (m) => namespace === null || m.startsWith(`${namespace}/`),
    );
    if (members.length === 0) return [];
    const pipe = this.r.pipeline();
    for (const m of members) pipe.hgetall(`${this.prefix}svc:${m}`).get(`${this.prefix}rev:${m}`);
    const res = (await pipe.exec()) ?? [];
    const out: Service[] = [];
    for (let i = 0; i < members.length; i++) {
      const s = this.toService(res[2 * i]?.[1] as Record<string, string>, res[2 * i + 1]?.[1] as string | null);
      if (s !== null) out.push(s);
    }
    return out.sort((a, b) => (a.namespace + '/' + a.name).localeCompare(b.namespace + '/' + b.name));
  }

  async register(ns: string, svc: string, spec: InstanceSpec, source: Source): Promise<StoreChange> {
    const doc = { ...spec, namespace: ns, service: svc, source, digest: digestOf(spec, source) };
    const res = (await this.r
      .weftRegister(
        this.k('svc', ns, svc),
        this.k('inst', ns, svc),
        this.k('rev', ns, svc),
        this.ttlKey,
        `${ns}/${svc}`,
        spec.id,
        JSON.stringify(doc),
      )
      .catch((e: unknown) => mapScriptError(e, `instance ${ns}/${svc}/${spec.id}`))) as [number, string, string];
    return this.change(res[1] as RegistryEventType, ns, svc, res[0], res[2]);
  }

  async deregister(ns: string, svc: string, id: string, source: Source): Promise<StoreChange> {
    const res = (await this.r
      .weftDeregister(this.k('inst', ns, svc), this.k('rev', ns, svc), this.ttlKey, `${ns}/${svc}`, id, source)
      .catch((e: unknown) => mapScriptError(e, `instance ${ns}/${svc}/${id}`))) as [number, string];
    return this.change('instance.deregistered', ns, svc, res[0], res[1]);
  }

  /** Returns the new lastHeartbeat and, when the heartbeat revived an expired instance, the change. */
  async heartbeat(ns: string, svc: string, id: string): Promise<{ lastHeartbeat: number; change: StoreChange | null }> {
    const res = (await this.r
      .weftHeartbeat(this.k('inst', ns, svc), this.k('rev', ns, svc), this.ttlKey, `${ns}/${svc}`, id)
      .catch((e: unknown) => mapScriptError(e, `instance ${ns}/${svc}/${id}`))) as [number, number, string];
    const change = res[0] === 0 ? null : this.change('instance.health', ns, svc, res[0], res[2]);
    return { lastHeartbeat: res[1], change };
  }

  /** Records a probe verdict; returns the change when the instance's probe state changed. */
  async setProbe(
    ns: string,
    svc: string,
    id: string,
    probe: 'passing' | 'failing',
    registeredAt: number,
  ): Promise<StoreChange | null> {
    const res = (await this.r.weftSetProbe(this.k('inst', ns, svc), this.k('rev', ns, svc), id, probe, registeredAt)) as [
      number,
      string,
    ];
    return res[0] === 0 ? null : this.change('instance.health', ns, svc, res[0], res[1]);
  }

  /** Applies due TTL transitions (at most `limit`); each is returned once, to the one caller that made it. */
  async sweep(limit: number): Promise<StoreChange[]> {
    const flat = (await this.r.weftSweep(this.ttlKey, this.prefix, limit)) as (string | number)[];
    const out: StoreChange[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      const member = String(flat[i + 1]);
      const [ns, svc] = member.split('/');
      out.push(this.change(flat[i] as RegistryEventType, ns, svc, Number(flat[i + 2]), String(flat[i + 3])));
    }
    return out;
  }

  /** A consistent snapshot of a service's instances and its revision; null when the service does not exist. */
  async instances(ns: string, svc: string): Promise<{ revision: number; instances: Instance[] } | null> {
    const res = await this.r
      .multi()
      .exists(this.k('svc', ns, svc))
      .hvals(this.k('inst', ns, svc))
      .get(this.k('rev', ns, svc))
      .exec();
    if (res?.[0]?.[1] !== 1) return null;
    const vals = (res[1]?.[1] as string[] | undefined) ?? [];
    const instances = vals.map(toInstance).sort((a, b) => a.id.localeCompare(b.id));
    return { revision: Number((res[2]?.[1] as string | null) ?? 0), instances };
  }

  async getInstance(ns: string, svc: string, id: string): Promise<Instance | null> {
    const json = await this.r.hget(this.k('inst', ns, svc), id);
    return json === null ? null : toInstance(json);
  }

  private change(type: RegistryEventType, ns: string, svc: string, revision: number, json: string): StoreChange {
    const instance = json === '' ? null : toInstance(json);
    return { type, namespace: ns, service: svc, revision: Number(revision), instance, serviceState: null };
  }
}
