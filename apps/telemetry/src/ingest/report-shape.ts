import { REPORTERS, REQUEST_PROTOCOLS, SECURITY_POLICIES, type TelemetryReport } from '@weft/api';

/*
 * The hot-path check of a parsed report: the same rules as the zod contract (`telemetryReport`), as
 * plain loops and typeof tests (a zod parse of a 100-edge report costs more than folding it). It only
 * answers yes or no; a report it refuses goes through zod, which names the field and the reason. The
 * spec checks that both agree on every rule.
 */

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isString = (v: unknown, min: number, max: number): boolean => typeof v === 'string' && v.length >= min && v.length <= max;
const isName = (v: unknown): boolean => isString(v, 1, 253);
const isPrincipal = (v: unknown): boolean => v === null || isString(v, 0, 512);
const isOneOf = (v: unknown, values: readonly string[]): boolean => typeof v === 'string' && values.includes(v);

function isSource(v: unknown): boolean {
  return isObject(v) && isName(v.workload) && isName(v.namespace) && isPrincipal(v.principal);
}

function isDestination(v: unknown): boolean {
  return isObject(v) && isName(v.service) && (v.workload === null || isName(v.workload)) && isName(v.namespace) && isPrincipal(v.principal);
}

/** `reporter` defaults to `destination` (set on the object, as zod's default would). */
function hasReporter(e: Obj): boolean {
  if (e.reporter === undefined) e.reporter = 'destination';
  return isOneOf(e.reporter, REPORTERS);
}

function isEdge(e: unknown): boolean {
  if (!isObject(e) || !hasReporter(e) || !isSource(e.source) || !isDestination(e.destination)) return false;
  const code = e.responseCode;
  const grpc = e.grpcStatus;
  return (
    isOneOf(e.protocol, REQUEST_PROTOCOLS) &&
    Number.isSafeInteger(code) && (code as number) >= 0 && (code as number) <= 999 &&
    (grpc === null || (Number.isSafeInteger(grpc) && (grpc as number) >= 0 && (grpc as number) <= 16)) &&
    isString(e.responseFlags, 1, 64) &&
    isCount(e.requests) && (e.requests as number) > 0 &&
    isCount(e.requestBytes) && isCount(e.responseBytes) &&
    isOneOf(e.connectionSecurityPolicy, SECURITY_POLICIES) &&
    isString(e.latency, 1, 262_144)
  );
}

function isTcpEdge(t: unknown): boolean {
  if (!isObject(t) || !hasReporter(t) || !isSource(t.source) || !isDestination(t.destination)) return false;
  if (t.connectionSecurityPolicy === undefined) t.connectionSecurityPolicy = 'none';
  return (
    isOneOf(t.connectionSecurityPolicy, SECURITY_POLICIES) &&
    isCount(t.connectionsOpened) && isCount(t.connectionsClosed) && isCount(t.sentBytes) && isCount(t.receivedBytes)
  );
}

function allOf(list: unknown, check: (v: unknown) => boolean): boolean {
  if (!Array.isArray(list) || list.length > 10_000) return false;
  for (let i = 0; i < list.length; i++) if (!check(list[i])) return false;
  return true;
}

function hasHeader(r: Obj): boolean {
  const p = r.proxy;
  return (
    r.v === 1 &&
    isObject(p) && isName(p.id) && isName(p.workload) && isName(p.namespace) &&
    (r.boot === undefined || isString(r.boot, 1, 64)) &&
    (r.seq === undefined || isCount(r.seq)) &&
    isCount(r.intervalStart) && isCount(r.intervalEnd)
  );
}

function hasDropped(r: Obj): boolean {
  if (r.dropped === undefined) r.dropped = { records: 0, spans: 0, logs: 0 };
  const d = r.dropped;
  return isObject(d) && isCount(d.records) && isCount(d.spans) && isCount(d.logs);
}

/**
 * True when a parsed JSON value is a valid report of the contract; fills in the contract's defaults
 * (edge and TCP `reporter`, TCP `connectionSecurityPolicy`, `tcp`, `dropped`) on the way, as zod does.
 * Unknown fields are left in place (nothing reads them). False: ask zod why.
 */
export function conformsToReport(value: unknown): value is TelemetryReport {
  if (!isObject(value) || !hasHeader(value) || !allOf(value.edges, isEdge)) return false;
  if (value.tcp === undefined) value.tcp = [];
  return allOf(value.tcp, isTcpEdge) && hasDropped(value);
}
