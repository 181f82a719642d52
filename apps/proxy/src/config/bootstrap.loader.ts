import { createHash } from 'node:crypto';
import type { AdminModel, ClusterModel, ConfigSnapshot } from '@weft/proxy-core';
import { parseDocument } from 'yaml';
import { checkClusters, checkListeners } from './bootstrap-checks';
import { ConfigContext, fieldPath, indexPath } from './config-context';
import { cluster } from './convert/cluster.converter';
import { listener, socketAddress } from './convert/listener.converter';
import { deepFreeze, FrozenMap } from './frozen';
import { protoFromJson } from './proto/proto-json';
import { msg, msgs, str, type ProtoMessage } from './proto/proto-value';
import { ProxyConfigError } from './proxy-config.error';
import { SUPPORT_POLICY } from './support/support-matrix';
import { TYPE } from './support/type-names';

export interface BootstrapResult {
  readonly snapshot: ConfigSnapshot;
  /** Paths of the set fields weft-proxy accepts and ignores (docs/proxy-config.md), e.g. to log once. */
  readonly ignoredFields: readonly string[];
  /** EDS clusters of static_resources (only with `xds`): cluster name → EDS service name. */
  readonly edsServiceNames: ReadonlyMap<string, string>;
}

export interface BootstrapOptions {
  /**
   * An xDS server is configured (--xds): static resources may refer to RDS route configurations, VHDS
   * and EDS endpoints, and routes may name clusters that only the server defines. Without it those
   * are errors ("needs --xds"). Default false.
   */
  readonly xds?: boolean;
}

const NEEDS_XDS: Readonly<Record<'rds' | 'vhds' | 'eds', (name: string) => string>> = {
  rds: (name) => `needs --xds: route configuration "${name}" comes from an xDS server (or declare route_config inline)`,
  vhds: (name) => `needs --xds: the virtual hosts of "${name}" come from an xDS server (VHDS)`,
  eds: (name) => `needs --xds: the endpoints of EDS cluster "${name}" come from an xDS server (or use type STATIC with a load_assignment)`,
};

/**
 * Loads an Envoy v3 bootstrap (YAML or JSON): YAML → proto (strict: unknown fields, wrong types,
 * PGV constraints) checked against the support matrix → model → cross-resource checks → deeply
 * frozen snapshot. Every problem found is collected; they are thrown together as one
 * ProxyConfigError (`<file>: <path>: <reason>` per line). Converters run only on a bootstrap that
 * passed the proto and support checks.
 */
export function loadBootstrap(yamlText: string, fileName: string, options: BootstrapOptions = {}): BootstrapResult {
  const raw = parseYaml(yamlText, fileName);
  const ctx = new ConfigContext();
  const bootstrap = protoFromJson(TYPE.bootstrap, raw, '', ctx, SUPPORT_POLICY);
  ctx.throwIfAny(fileName);
  const xds = options.xds === true;
  const snapshot = buildSnapshot(bootstrap ?? {}, versionOf(yamlText), xds, ctx);
  if (!xds) for (const ref of ctx.dynamicRefs) ctx.issue(ref.path, NEEDS_XDS[ref.kind](ref.kind === 'eds' ? ref.owner : ref.name));
  ctx.throwIfAny(fileName);
  const eds = new FrozenMap<string, string>(ctx.dynamicRefs.filter((r) => r.kind === 'eds').map((r) => [r.owner, r.name]));
  return deepFreeze({ snapshot, ignoredFields: ctx.ignored, edsServiceNames: eds });
}

function parseYaml(text: string, fileName: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    const issues = problems.map((e) => {
      const pos = e.linePos?.[0];
      return { path: pos === undefined ? '(yaml)' : `line ${pos.line}, column ${pos.col}`, message: e.message.split('\n')[0] };
    });
    throw new ProxyConfigError(fileName, issues, { cause: problems[0] });
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (err) {
    throw new ProxyConfigError(fileName, [{ path: '(yaml)', message: (err as Error).message }], { cause: err });
  }
}

function buildSnapshot(bootstrap: ProtoMessage, version: string, xds: boolean, ctx: ConfigContext): ConfigSnapshot {
  const resources = msg(bootstrap, 'static_resources') ?? {};
  const listenersPath = fieldPath('static_resources', 'listeners');
  const clustersPath = fieldPath('static_resources', 'clusters');
  const listeners = msgs(resources, 'listeners').map((l, i) => listener(l, indexPath(listenersPath, i), ctx));
  const clusters = msgs(resources, 'clusters').map((c, i) => cluster(c, indexPath(clustersPath, i), ctx));
  const admin = adminOf(msg(bootstrap, 'admin'), ctx);
  // With xDS, a route may name a cluster that only the server defines.
  if (xds) ctx.clusterRefs.length = 0;
  checkClusters(clusters, ctx);
  checkListeners(listeners, admin, ctx);
  const node = msg(bootstrap, 'node') ?? {};
  return {
    version,
    listeners,
    clusters: new FrozenMap<string, ClusterModel>(clusters.map((c) => [c.name, c])),
    admin,
    node: { id: str(node, 'id'), cluster: str(node, 'cluster') },
  };
}

/** No admin (or an admin without address): no admin listener. */
function adminOf(admin: ProtoMessage | null, ctx: ConfigContext): AdminModel | null {
  const address = admin === null ? null : msg(admin, 'address');
  if (address === null) return null;
  return socketAddress(address, 'admin.address', ctx, { allowPortZero: true });
}

function versionOf(text: string): string {
  return `bootstrap-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
