import type { HeaderMutationsModel, HeaderValueOption } from '../model/config-model';
import { asciiLower, regionMatchesIgnoreCase, toWireString } from './ascii';
import { RouteCompileError } from './route-compile-error';

/**
 * Header mutations (request_headers_to_add/remove, response_headers_to_add/remove) flattened at
 * compile time into one ordered list of operations per route (per weighted cluster), so a request
 * applies a prebuilt array and nothing else.
 *
 * Envoy semantics (HeaderParser::evaluateHeaders, RouteEntryImplBase::finalizeRequestHeaders):
 * - levels are evaluated weighted cluster → route → virtual host → route configuration, and a later
 *   level wins (most_specific_header_mutations_wins defaults to false);
 * - within a level: removals first, then every OVERWRITE_IF_EXISTS_OR_ADD (`append: false`)
 *   replaces all values, then every APPEND_IF_EXISTS_OR_ADD (`append: true`) adds one more value;
 * - an entry whose value is empty is skipped (keep_empty_value defaults to false);
 * - `:`-prefixed names and `host` may be neither added nor removed (config error).
 * Values are literal: Envoy's %COMMAND% substitutions are not expanded.
 */
export const HEADER_OP_REMOVE = 0;
export const HEADER_OP_SET = 1;
export const HEADER_OP_APPEND = 2;

export class HeaderOp {
  constructor(
    readonly op: number,
    /** Lower-case name. */
    readonly name: string,
    /** Wire form of the value; '' for removals. */
    readonly value: string,
  ) {}
}

export interface MutationLevel {
  readonly mutations: HeaderMutationsModel;
  /** Dotted path of `mutations` in the RouteConfigModel, for errors. */
  readonly path: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BAD_VALUE = /[\0\r\n]/;

/** Levels most specific first; returns the operations in application order, frozen. */
export function compileHeaderOps(levels: readonly MutationLevel[], direction: 'request' | 'response'): readonly HeaderOp[] {
  const ops: HeaderOp[] = [];
  for (const { mutations, path } of levels) {
    const request = direction === 'request';
    const adds = request ? mutations.requestHeadersToAdd : mutations.responseHeadersToAdd;
    const removes = request ? mutations.requestHeadersToRemove : mutations.responseHeadersToRemove;
    removes.forEach((name, i) => {
      ops.push(new HeaderOp(HEADER_OP_REMOVE, checkedName(name, `${path}.${direction}HeadersToRemove.${i}`), ''));
    });
    for (const append of [false, true]) {
      adds.forEach((h, i) => {
        if (h.append === append) pushAdd(ops, h, `${path}.${direction}HeadersToAdd.${i}`);
      });
    }
  }
  return Object.freeze(withoutShadowed(ops));
}

function pushAdd(ops: HeaderOp[], h: HeaderValueOption, path: string): void {
  const name = checkedName(h.name, `${path}.name`);
  if (BAD_VALUE.test(h.value)) throw new RouteCompileError(`${path}.value`, `header "${name}" value contains CR, LF or NUL`);
  if (h.value === '') return;
  ops.push(new HeaderOp(h.append ? HEADER_OP_APPEND : HEADER_OP_SET, name, toWireString(h.value)));
}

function checkedName(raw: string, path: string): string {
  const name = asciiLower(raw);
  if (name.startsWith(':') || name === 'host') {
    throw new RouteCompileError(path, `":"-prefixed or host headers may not be modified ("${raw}")`);
  }
  if (!TOKEN.test(name)) throw new RouteCompileError(path, `invalid header name "${raw}"`);
  return name;
}

/** Drops operations whose effect a later SET or REMOVE of the same name erases. */
function withoutShadowed(ops: readonly HeaderOp[]): HeaderOp[] {
  const replacedLater = new Set<string>();
  const kept: HeaderOp[] = [];
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (replacedLater.has(op.name)) continue;
    kept.push(op);
    if (op.op !== HEADER_OP_APPEND) replacedLater.add(op.name);
  }
  return kept.reverse();
}

/**
 * Applies `ops` to a Node-style header object in place. Removed headers become `undefined` (no
 * `delete` on a hot object): skip undefined values when serialising, as Node's setHeader rejects
 * them. Appending to a single value turns it into an array (sent as separate header lines).
 */
export function applyHeaderOps(ops: readonly HeaderOp[], headers: Record<string, string | string[] | undefined>): void {
  for (let i = 0; i < ops.length; i++) {
    const { op, name, value } = ops[i];
    if (op === HEADER_OP_SET) headers[name] = value;
    else if (op === HEADER_OP_REMOVE) {
      if (headers[name] !== undefined) headers[name] = undefined;
    } else {
      const current = headers[name];
      if (current === undefined) headers[name] = value;
      else if (typeof current === 'string') headers[name] = [current, value];
      else current.push(value);
    }
  }
}

/**
 * Applies `ops` in place to a flat header list `[name, value, name, value, …]` (the shape of
 * `rawHeaders`, accepted by http.request and writeHead). Names compare ASCII case-insensitively.
 */
export function applyHeaderOpsToList(ops: readonly HeaderOp[], list: string[]): void {
  for (let i = 0; i < ops.length; i++) {
    const { op, name, value } = ops[i];
    if (op !== HEADER_OP_APPEND) removeFromList(list, name);
    if (op !== HEADER_OP_REMOVE) list.push(name, value);
  }
}

function removeFromList(list: string[], lowerName: string): void {
  let write = 0;
  for (let read = 0; read < list.length; read += 2) {
    const n = list[read];
    if (n.length === lowerName.length && regionMatchesIgnoreCase(n, 0, lowerName)) continue;
    if (write !== read) {
      list[write] = n;
      list[write + 1] = list[read + 1];
    }
    write += 2;
  }
  list.length = write;
}
