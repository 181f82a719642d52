import type { XdsNode } from '@weft/xds';
import type { ClientKind, ProxyNode } from '../model/xds-contract';
import { noNodeError } from './xds-errors';

/**
 * google.protobuf.Value as proto-loader decodes it. The well-known types come from protobufjs's
 * built-in definitions, whose field names are camelCase even with keepCase (`stringValue`, as
 * grpc-js-xds sends them); the snake_case spelling is accepted too.
 */
interface StructValue {
  readonly kind?: string;
  readonly stringValue?: string;
  readonly numberValue?: number;
  readonly boolValue?: boolean;
  readonly structValue?: StructObject;
  readonly string_value?: string;
  readonly number_value?: number;
  readonly bool_value?: boolean;
  readonly struct_value?: StructObject;
}

interface StructObject {
  readonly fields?: Readonly<Record<string, StructValue>>;
}

type Fields = Readonly<Record<string, StructValue>>;

const DEFAULT_OUTBOUND_PORT = 15001;
const DEFAULT_INBOUND_PORT = 15006;

/** weft-proxy → weft, Envoy → envoy, gRPC libraries → grpc; anything else is treated like Envoy. */
export function clientKindOf(userAgent: string): ClientKind {
  const ua = userAgent.toLowerCase();
  if (ua.includes('weft')) return 'weft';
  if (ua.includes('envoy')) return 'envoy';
  if (ua.includes('grpc')) return 'grpc';
  return 'envoy';
}

/**
 * Parses the node of a stream's first request (Istio's metadata keys as Struct values). Throws a
 * typed invalid-argument error when there is no node or no node id.
 */
export function parseProxyNode(node: XdsNode | undefined | null): ProxyNode {
  if (node === undefined || node === null) throw noNodeError('node is missing');
  const id = node.id ?? '';
  if (id === '') throw noNodeError('node.id is empty');
  const fields = (node.metadata?.fields ?? {}) as Fields;
  const cluster = node.cluster ?? '';
  const userAgent = node.user_agent_name ?? '';
  return {
    id,
    cluster,
    kind: clientKindOf(userAgent),
    userAgent,
    namespace: text(fields['NAMESPACE']) ?? 'default',
    service: text(fields['SERVICE']) ?? cluster,
    labels: labelsOf(fields['LABELS']),
    locality: {
      region: node.locality?.region ?? '',
      zone: node.locality?.zone ?? '',
      subZone: node.locality?.sub_zone ?? '',
    },
    appPort: port(fields['APP_PORT']),
    outboundPort: port(fields['OUTBOUND_PORT']) ?? DEFAULT_OUTBOUND_PORT,
    inboundPort: port(fields['INBOUND_PORT']) ?? DEFAULT_INBOUND_PORT,
  };
}

/** A Struct value as text: strings as is, numbers and booleans printed; empty or absent → null. */
function text(value: StructValue | undefined): string | null {
  if (value === undefined) return null;
  const str = value.stringValue ?? value.string_value;
  if (typeof str === 'string') return str === '' ? null : str;
  const num = value.numberValue ?? value.number_value;
  if (typeof num === 'number') return String(num);
  const bool = value.boolValue ?? value.bool_value;
  if (typeof bool === 'boolean') return String(bool);
  return null;
}

function port(value: StructValue | undefined): number | null {
  const raw = text(value);
  if (raw === null || !/^\d{1,5}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : null;
}

/** LABELS: a JSON object string (Istio sidecars) or a Struct; values are printed as strings. */
function labelsOf(value: StructValue | undefined): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  const struct = value.structValue ?? value.struct_value;
  if (struct !== undefined) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(struct.fields ?? {})) {
      const t = text(v);
      if (t !== null) out[k] = t;
    }
    return out;
  }
  const raw = text(value);
  return raw === null ? {} : labelsFromJson(raw);
}

function labelsFromJson(raw: string): Readonly<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}
