import type { FieldIssue } from '@weft/shared';
import { ProxyConfigError } from './proxy-config.error';

/** A cluster named by a route, a weighted cluster, a mirror policy or a tcp_proxy. */
export interface ClusterRef {
  readonly cluster: string;
  readonly path: string;
}

/** A typed_per_filter_config entry: its key must name an HTTP filter of the same kind. */
export interface PerFilterRef {
  readonly filterName: string;
  readonly kind: 'fault' | 'local_ratelimit';
  readonly path: string;
}

/**
 * State of one configuration load: every problem found (all are collected, then thrown together),
 * the accepted-and-ignored fields that were set, and the references checked across resources.
 */
export class ConfigContext {
  readonly issues: FieldIssue[];
  readonly ignored: string[];
  readonly clusterRefs: ClusterRef[];
  readonly perFilterRefs: PerFilterRef[];

  constructor() {
    this.issues = [];
    this.ignored = [];
    this.clusterRefs = [];
    this.perFilterRefs = [];
  }

  issue(path: string, message: string): void {
    this.issues.push({ path: path === '' ? '(root)' : path, message });
  }

  throwIfAny(source: string): void {
    if (this.issues.length > 0) throw new ProxyConfigError(source, this.issues);
  }
}

/** `a.b` / `a[3]` / `a["key"]` paths; '' is the root. */
export function fieldPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function keyPath(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}
