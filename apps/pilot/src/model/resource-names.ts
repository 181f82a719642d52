/**
 * Resource names shared by pilot and the proxies' xDS clients (Istio's conventions):
 * clusters and their EDS resources `outbound|<port>|<subset>|<fqdn>` (subset '' for the whole service)
 * and `inbound|<appPort>||`; sidecar listeners and route configuration `outbound` / `inbound`; VHDS
 * virtual hosts `outbound/<authority>`; gRPC clients' listeners and route configurations `<host>:<port>`.
 */
export const OUTBOUND = 'outbound';
export const INBOUND = 'inbound';
export const VHDS_PREFIX = `${OUTBOUND}/`;

export interface OutboundClusterName {
  readonly port: number;
  readonly subset: string;
  readonly host: string;
}

export function outboundClusterName(port: number, subset: string, host: string): string {
  return `${OUTBOUND}|${port}|${subset}|${host}`;
}

export function inboundClusterName(appPort: number): string {
  return `${INBOUND}|${appPort}||`;
}

/** Parses `outbound|<port>|<subset>|<host>`; null for any other name. */
export function parseOutboundClusterName(name: string): OutboundClusterName | null {
  const parts = name.split('|');
  if (parts.length !== 4 || parts[0] !== OUTBOUND || parts[3] === '') return null;
  const port = parsePort(parts[1]);
  return port === null ? null : { port, subset: parts[2], host: parts[3] };
}

/** Parses `inbound|<port>||`; null for any other name. */
export function parseInboundClusterName(name: string): number | null {
  const parts = name.split('|');
  if (parts.length !== 4 || parts[0] !== INBOUND || parts[2] !== '' || parts[3] !== '') return null;
  return parsePort(parts[1]);
}

/** The canonical VHDS name of one service port: `outbound/<fqdn>:<port>`. */
export function virtualHostName(host: string, port: number): string {
  return `${VHDS_PREFIX}${host}:${port}`;
}

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
