import { createHash } from 'node:crypto';
import { Enum, Type } from 'protobufjs';
import { WeftError } from '@weft/shared';
import { envoyProtoRoot } from './proto-root';
import { typeNameOfUrl } from './type-urls';

/** google.protobuf.Any as @grpc/proto-loader hands it over (keepCase): bytes, not a decoded object. */
export interface AnyBytes {
  readonly type_url: string;
  readonly value: Buffer;
}

/** A resource ready to send: encoded once, shared by every stream; `version` is a content hash. */
export interface EncodedResource {
  readonly name: string;
  readonly version: string;
  readonly any: AnyBytes;
}

function messageType(typeUrl: string): Type {
  const found = envoyProtoRoot().lookup(typeNameOfUrl(typeUrl));
  if (!(found instanceof Type)) {
    throw new WeftError('WEFT_ERR_XDS_UNKNOWN_TYPE', 'invalid-argument', `unknown xDS resource type ${typeUrl}`);
  }
  return found;
}

/**
 * Encodes a resource given in protobufjs object form (snake_case fields, enums as names, Durations as
 * `{ seconds, nanos }`, wrappers as `{ value }`, nested Any as `{ '@type': url, ...fields }`).
 * A field the type does not have is an error (a generator bug), never silently dropped.
 */
export function encodeResource(typeUrl: string, name: string, object: Record<string, unknown>): EncodedResource {
  const type = messageType(typeUrl);
  const problem = unknownField(type, object, '');
  if (problem !== null) {
    throw new WeftError('WEFT_ERR_XDS_ENCODE', 'internal', `${typeNameOfUrl(typeUrl)} ${name}: ${problem}`);
  }
  const value = Buffer.from(type.encode(type.fromObject(object)).finish());
  return { name, version: contentVersion(value), any: { type_url: typeUrl, value } };
}

/** fromObject drops unknown fields and enum names silently: find the first one, with its path. */
function unknownField(type: Type, object: Record<string, unknown>, path: string): string | null {
  const anyType = type.fullName === '.google.protobuf.Any' && typeof object['@type'] === 'string';
  const target = anyType ? messageType(object['@type'] as string) : type;
  for (const [key, value] of Object.entries(object)) {
    if (anyType && key === '@type') continue;
    const field = target.fields[key];
    const at = path === '' ? key : `${path}.${key}`;
    if (field === undefined) return `${at}: unknown field of ${target.name}`;
    if (value === null || value === undefined) continue;
    const problem = checkValue(field.resolve().resolvedType, field.map, value, at);
    if (problem !== null) return problem;
  }
  return null;
}

function checkValue(resolved: Type | Enum | null, isMap: boolean, value: unknown, at: string): string | null {
  const items = isMap ? Object.values(value as object) : Array.isArray(value) ? value : [value];
  for (const item of items as unknown[]) {
    if (resolved instanceof Enum && typeof item === 'string' && !(item in resolved.values)) return `${at}: unknown enum value ${item}`;
    if (resolved instanceof Type && item !== null && typeof item === 'object' && !isWellKnownScalarForm(resolved)) {
      const problem = unknownField(resolved, item as Record<string, unknown>, at);
      if (problem !== null) return problem;
    }
  }
  return null;
}

/** Struct/Value/ListValue take free-form JSON in fromObject. */
function isWellKnownScalarForm(type: Type): boolean {
  return type.fullName === '.google.protobuf.Struct' || type.fullName === '.google.protobuf.Value' || type.fullName === '.google.protobuf.ListValue';
}

/** The content hash used as a resource version: equal bytes, equal version (never resent unchanged). */
export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
}

/**
 * Decodes an Any into the JSON-like object form the proxy's converters take (snake_case fields, enums
 * as names, int64 as numbers, nested Any with '@type'). Throws on bytes that do not decode.
 */
export function decodeResource(any: { readonly type_url: string; readonly value: Uint8Array }): Record<string, unknown> {
  const type = messageType(any.type_url);
  const message = type.decode(any.value);
  return type.toObject(message, { json: true, enums: String, longs: Number }) as Record<string, unknown>;
}
