/**
 * Deep freezing of configuration snapshots (shared by every request). Maps and Sets cannot be frozen
 * by Object.freeze (their entries live in internal slots), so the model uses these read-only
 * subclasses: populated by the constructor, then set/add/delete/clear throw.
 */
export class FrozenMap<K, V> extends Map<K, V> {
  private sealed: boolean;

  constructor(entries: Iterable<readonly [K, V]>) {
    super(entries);
    this.sealed = true;
  }

  override set(key: K, value: V): this {
    if (this.sealed) throw new TypeError('configuration snapshots are immutable');
    return super.set(key, value);
  }

  override delete(_key: K): boolean {
    throw new TypeError('configuration snapshots are immutable');
  }

  override clear(): void {
    throw new TypeError('configuration snapshots are immutable');
  }
}

export class FrozenSet<T> extends Set<T> {
  private sealed: boolean;

  constructor(values: Iterable<T>) {
    super(values);
    this.sealed = true;
  }

  override add(value: T): this {
    if (this.sealed) throw new TypeError('configuration snapshots are immutable');
    return super.add(value);
  }

  override delete(_value: T): boolean {
    throw new TypeError('configuration snapshots are immutable');
  }

  override clear(): void {
    throw new TypeError('configuration snapshots are immutable');
  }
}

/** Object.freeze, recursively, through arrays, plain objects and the values of Maps and Sets. */
export function deepFreeze<T>(value: T): T {
  freezeValue(value, new Set());
  return value;
}

function freezeValue(value: unknown, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      freezeValue(k, seen);
      freezeValue(v, seen);
    }
  } else if (value instanceof Set) {
    for (const v of value) freezeValue(v, seen);
  } else {
    for (const v of Object.values(value)) freezeValue(v, seen);
  }
  Object.freeze(value);
}
