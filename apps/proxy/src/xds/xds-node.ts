import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XdsNode } from '@weft/xds';
import type { ProxyFlags } from '../config/flags';

/** What the proxy tells the xDS server about itself (pilot reads these keys, as Istio's sidecars send them). */
export const USER_AGENT_NAME = 'weft-proxy';

const DEFAULT_OUTBOUND_PORT = 15001;
const DEFAULT_INBOUND_PORT = 15006;

/** `sidecar~<service>~<pid>` unless --node-id is given. */
export function nodeIdOf(flags: ProxyFlags, pid: number = process.pid): string {
  return flags['node-id'] ?? `sidecar~${flags.service}~${pid}`;
}

/** --xds-cache, else `<tmpdir>/weft-proxy-<node-id>.xds.json` (the node id made file-name safe). */
export function cacheFileOf(flags: ProxyFlags, nodeId: string): string {
  return flags['xds-cache'] ?? join(tmpdir(), `weft-proxy-${nodeId.replace(/[^A-Za-z0-9._~-]/g, '_')}.xds.json`);
}

/**
 * The `node` of the first request on every stream: id, cluster (the service), user agent, locality,
 * and metadata (Struct string values): NAMESPACE, SERVICE, LABELS (a JSON object), APP_PORT (only
 * when set), OUTBOUND_PORT, INBOUND_PORT — pilot generates the listeners on those ports.
 */
export function xdsNodeOf(flags: ProxyFlags, nodeId: string): XdsNode {
  const fields: Record<string, StructString> = {
    NAMESPACE: text(flags.namespace),
    SERVICE: text(flags.service),
    LABELS: text(JSON.stringify(flags.labels)),
    OUTBOUND_PORT: text(String(flags['outbound-port'] ?? DEFAULT_OUTBOUND_PORT)),
    INBOUND_PORT: text(String(flags['inbound-port'] ?? DEFAULT_INBOUND_PORT)),
  };
  const appPort = flags['app-port'];
  if (appPort !== undefined) fields['APP_PORT'] = text(String(appPort));
  const loc = flags.locality;
  return {
    id: nodeId,
    cluster: flags.service,
    user_agent_name: USER_AGENT_NAME,
    user_agent_version: proxyVersion(),
    metadata: { fields },
    ...(loc === undefined ? {} : { locality: { region: loc.region, zone: loc.zone, sub_zone: loc.subZone } }),
  };
}

/**
 * A google.protobuf.Value holding a string. The well-known types come from protobufjs's bundled
 * definitions, whose field names are camelCase even with keepCase: `string_value` would be dropped.
 */
interface StructString {
  readonly stringValue: string;
  readonly kind: 'stringValue';
}

function text(value: string): StructString {
  return { stringValue: value, kind: 'stringValue' };
}

let version: string | null = null;

/** apps/proxy/package.json's version (two levels up from src/xds and dist/xds alike). */
function proxyVersion(): string {
  if (version === null) {
    try {
      version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}
