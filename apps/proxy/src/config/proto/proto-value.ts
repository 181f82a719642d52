/**
 * Read access to converted proto messages (see proto-json.ts for the representation). The
 * converters run only on messages that passed conversion, so these accessors trust the shapes.
 */
export type ProtoMessage = Readonly<Record<string, unknown>>;

/** A google.protobuf.Any: `value` is the converted payload, or null when kept opaque. */
export interface ProtoAny {
  readonly typeUrl: string;
  readonly typeName: string;
  readonly value: unknown;
}

export function has(m: ProtoMessage, field: string): boolean {
  return m[field] !== undefined;
}

export function str(m: ProtoMessage, field: string, fallback = ''): string {
  const v = m[field];
  return typeof v === 'string' ? v : fallback;
}

export function num(m: ProtoMessage, field: string): number | null {
  const v = m[field];
  return typeof v === 'number' ? v : null;
}

export function bool(m: ProtoMessage, field: string): boolean | null {
  const v = m[field];
  return typeof v === 'boolean' ? v : null;
}

/** Enum value name; `fallback` (the 0 value) when unset. */
export function enumName(m: ProtoMessage, field: string, fallback: string): string {
  const v = m[field];
  return typeof v === 'string' ? v : fallback;
}

/** Durations are stored in milliseconds. */
export const durationMs = num;

export function msg(m: ProtoMessage, field: string): ProtoMessage | null {
  const v = m[field];
  return v !== undefined && v !== null && typeof v === 'object' ? (v as ProtoMessage) : null;
}

export function msgs(m: ProtoMessage, field: string): readonly ProtoMessage[] {
  const v = m[field];
  return Array.isArray(v) ? (v as ProtoMessage[]) : [];
}

export function strs(m: ProtoMessage, field: string): readonly string[] {
  const v = m[field];
  return Array.isArray(v) ? (v as string[]) : [];
}

export function nums(m: ProtoMessage, field: string): readonly number[] {
  const v = m[field];
  return Array.isArray(v) ? (v as number[]) : [];
}

export function any(m: ProtoMessage, field: string): ProtoAny | null {
  const v = m[field];
  return v !== undefined ? (v as ProtoAny) : null;
}

export function anyMap(m: ProtoMessage, field: string): ReadonlyMap<string, ProtoAny> {
  const v = m[field];
  return v instanceof Map ? (v as Map<string, ProtoAny>) : new Map<string, ProtoAny>();
}

/** The converted payload of a (non-opaque) Any. */
export function anyMessage(a: ProtoAny): ProtoMessage {
  return (a.value ?? {}) as ProtoMessage;
}
