import type { Registry } from 'prom-client';
import type { ProxyConfigType } from '@weft/api';
import type { Logger } from '@weft/shared';
import type { ProxySyncStatus } from '../model/xds-contract';
import type { RulesService } from '../rules/rules.service';
import type { StoredProxyStatus } from '../status/status.store';

/** One analyzer finding (istioctl analyze's shape), as the model's `analyze()` returns them. */
export interface AnalysisMessage {
  /** `Error`, `Warning` or `Info` (any case). */
  readonly level: string;
  /** `IST0101`, … */
  readonly code: string;
  /** The rule it is about: `VirtualService default/reviews` or `VirtualService/default/reviews`. */
  readonly document: string;
  readonly message: string;
}

/**
 * The resources pilot would serve a connected proxy, for `GET /v1/proxies/:id/config/:type`: the
 * integrator builds them from the model's ResourceProvider + decodeResource for the names the status
 * lists as subscribed (`*`: the wildcard names). Return plain JSON-able objects.
 */
export interface ProxyConfigSource {
  config(status: ProxySyncStatus, type: ProxyConfigType): readonly unknown[] | Promise<readonly unknown[]>;
}

/** Where proxy sync status is read (RedisSyncStatusStore implements it). */
export interface ProxyStatusReader {
  list(): Promise<readonly StoredProxyStatus[]>;
  get(proxyId: string): Promise<StoredProxyStatus | null>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

/** Everything pilot's HTTP edge needs, built by the composition root. */
export interface PilotHttpDeps {
  readonly rules: RulesService;
  readonly status: ProxyStatusReader;
  /** The model's `analyze()`, called per `GET /v1/analyze`. */
  readonly analyze: () => readonly AnalysisMessage[];
  readonly proxyConfig: ProxyConfigSource;
  /** prom-client registry served on `GET /metrics` (xDS metrics register in the same one). */
  readonly metrics: Registry;
  readonly logger: Logger;
  /** This replica's id (reported by `GET /v1/version`). */
  readonly replica: string;
  /** WEFT_PILOT_TOKEN: bearer token required by mutating calls; undefined = open. */
  readonly token?: string;
  /** `GET /readyz` (default: always ready). */
  readonly readiness?: () => ReadinessReport;
  /** The rules revision this replica has loaded (RulesWatcher.revision), for `GET /v1/version`. */
  readonly rulesRevision?: () => number | null;
  /** Reported by `GET /v1/version` (default: pilot's package version). */
  readonly version?: string;
}

/** Injection token of the PilotHttpDeps value. */
export const PILOT_HTTP_DEPS = Symbol('PILOT_HTTP_DEPS');
