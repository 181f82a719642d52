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
 * A resource that only an xDS server can supply: the RDS route configuration of a connection manager,
 * the VHDS virtual hosts of a route configuration, the EDS endpoints of a cluster. `name` is the
 * resource name (route_config_name, the route configuration's name, the EDS service name); `owner`
 * the resource that refers to it.
 */
export interface DynamicRef {
  readonly kind: 'rds' | 'vhds' | 'eds';
  readonly name: string;
  readonly owner: string;
  readonly path: string;
}

/**
 * State of one configuration load: every problem found (all are collected, then thrown together),
 * the accepted-and-ignored fields that were set, and the references checked across resources (or
 * followed by the xDS client).
 */
export class ConfigContext {
  readonly issues: FieldIssue[];
  readonly ignored: string[];
  readonly clusterRefs: ClusterRef[];
  readonly perFilterRefs: PerFilterRef[];
  readonly dynamicRefs: DynamicRef[];

  constructor() {
    this.issues = [];
    this.ignored = [];
    this.clusterRefs = [];
    this.perFilterRefs = [];
    this.dynamicRefs = [];
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
