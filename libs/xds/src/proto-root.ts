import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Enum, Root, Type } from 'protobufjs';
import { WeftError } from '@weft/shared';

/**
 * The Envoy v3 protos shipped with @grpc/grpc-js-xds (pinned: `deps/` is not its public API), loaded
 * once, lazily, with protobufjs. Field names stay snake_case (`keepCase`), as in Envoy's YAML and
 * in grpc-js-xds, so protobufjs's `toObject({ json: true })` output of a decoded xDS resource can be
 * handed to the converters as-is.
 */
export const ENVOY_PROTO_FILES: readonly string[] = [
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/service/discovery/v3/discovery.proto',
];

let cached: Root | null = null;

/**
 * The shared, fully resolved root (the first call parses 85 .proto files synchronously, ≈ 130–200 ms;
 * the first call after releaseEnvoyProtoRoot() parses them again).
 */
export function envoyProtoRoot(): Root {
  if (cached === null) cached = loadRoot();
  return cached;
}

/**
 * Drops the cached root (about 17 MB of RSS) so the garbage collector can reclaim it: for a process
 * that parses config only now and then (a static bootstrap, reloaded on SIGHUP). Types looked up
 * before stay usable; the next envoyProtoRoot() call loads a fresh root.
 */
export function releaseEnvoyProtoRoot(): void {
  cached = null;
}

/** Whether a root is cached (for tests and diagnostics). */
export function isEnvoyProtoRootLoaded(): boolean {
  return cached !== null;
}

export function lookupMessageType(fullName: string): Type | null {
  const found = envoyProtoRoot().lookup(fullName);
  return found instanceof Type ? found : null;
}

/** Type name without the leading dot protobufjs keeps in `fullName`. */
export function typeNameOf(type: Type | Enum): string {
  return type.fullName.startsWith('.') ? type.fullName.slice(1) : type.fullName;
}

function loadRoot(): Root {
  const dirs = includeDirs();
  const root = new Root();
  root.resolvePath = (_origin: string, target: string) => resolveInclude(dirs, target);
  try {
    root.loadSync([...ENVOY_PROTO_FILES], { keepCase: true });
    root.resolveAll();
  } catch (err) {
    throw new WeftError('WEFT_ERR_XDS_PROTO_LOAD', 'internal', `cannot load the Envoy protos: ${String(err)}`, {
      cause: err,
    });
  }
  return root;
}

function includeDirs(): string[] {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  // protobufjs ships google/protobuf/descriptor.proto (imported by the validate and udpa options).
  const protobufjsDir = dirname(require.resolve('protobufjs/package.json'));
  return [...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)), protobufjsDir];
}

function resolveInclude(dirs: readonly string[], target: string): string {
  if (isAbsolute(target)) return target;
  for (const dir of dirs) {
    const candidate = join(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  return target;
}
