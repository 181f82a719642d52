import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, serviceEnv, startProcess, waitFor, type TestInfra } from '@weft/testing';
import type { Running } from './mesh-harness';

/** The CA and CA-backed sidecars for the mTLS end-to-end test (real processes, built bins). */
const ROOT = join(__dirname, '..', '..', '..', '..');
const CA_BIN = join(ROOT, 'apps/ca/bin/weft-ca.js');
const PROXY_BIN = join(ROOT, 'apps/proxy/bin/weft-proxy.js');
const PILOT_BIN = join(ROOT, 'apps/pilot/bin/weft-pilot.js');

export interface CaProcess extends Running {
  readonly grpc: string;
  readonly http: string;
}

/** A weft-ca replica over the suite's NATS/Redis prefixes, key material created in `dir`. */
export async function startCa(infra: TestInfra, dir: string): Promise<CaProcess> {
  const { proc, readyLog } = await startProcess({
    name: 'ca',
    command: process.execPath,
    args: [CA_BIN],
    env: {
      ...serviceEnv(infra),
      WEFT_CA_DIR: dir,
      WEFT_CA_GRPC_PORT: '0',
      WEFT_CA_HTTP_PORT: '0',
      WEFT_LOG_LEVEL: 'info',
    },
    ready: (l) => l['msg'] === 'ca ready',
  });
  return { proc, ready: readyLog, grpc: `127.0.0.1:${String(readyLog['grpcPort'])}`, http: `http://127.0.0.1:${String(readyLog['httpPort'])}` };
}

/** A bootstrap token for one identity (POST /v1/tokens), written to a file for --token-file. */
export async function tokenFile(ca: CaProcess, dir: string, namespace: string, serviceAccount: string): Promise<string> {
  const res = await fetch(`${ca.http}/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ namespace, serviceAccount }) });
  if (res.status >= 300) throw new Error(`POST /v1/tokens: ${res.status} ${await res.text()}`);
  const file = join(dir, `${namespace}.${serviceAccount}.token`);
  writeFileSync(file, ((await res.json()) as { token: string }).token, { mode: 0o600 });
  return file;
}

// The sidecars' listener ports come from pilot (node metadata), and port 0 there means Istio's
// defaults (15001/15006), which concurrent suites on one machine would share: tests pick free ones.
export { freePort };

export interface MeshedSidecarOptions {
  readonly xds: string;
  readonly ca: string;
  readonly tokenFile: string;
  readonly service: string;
  readonly nodeId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly cacheFile: string;
  readonly appPort?: number;
  /** Requested certificate lifetime (short in tests: renewal at half of it). */
  readonly certLifetimeS?: number;
  /** --xds-tls (xDS over mutual TLS to pilot's TLS port), with --xds-identity when given. */
  readonly xdsTls?: boolean;
  readonly xdsIdentity?: string;
}

/** The weft-proxy command line of a CA-backed sidecar (listener ports picked free now). */
export async function meshedSidecarArgs(o: MeshedSidecarOptions): Promise<string[]> {
  const labels = Object.entries(o.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return [
    PROXY_BIN,
    ...['--xds', o.xds, '--node-id', o.nodeId, '--service', o.service, '--namespace', 'default', '--labels', labels],
    ...['--ca', o.ca, '--token-file', o.tokenFile, '--cert-lifetime-s', String(o.certLifetimeS ?? 0)],
    ...['--admin-port', '0', '--outbound-port', String(await freePort()), '--inbound-port', String(await freePort())],
    ...['--xds-cache', o.cacheFile, '--access-log', 'off'],
    ...(o.appPort === undefined ? [] : ['--app-port', String(o.appPort)]),
    ...(o.xdsTls === true ? ['--xds-tls'] : []),
    ...(o.xdsIdentity === undefined ? [] : ['--xds-identity', o.xdsIdentity]),
  ];
}

/** weft-proxy with --ca: ready (its log line) once it holds a certificate and a warm config. */
export async function startMeshedSidecar(o: MeshedSidecarOptions): Promise<Running & { admin: string; inbound: number; outbound: number }> {
  const args = await meshedSidecarArgs(o);
  const { proc, readyLog } = await startProcess({ name: `proxy ${o.nodeId}`, command: process.execPath, args, env: { WEFT_PROXY_LOG_LEVEL: 'info' }, ready: (l) => l['msg'] === 'proxy ready' });
  const ports = readyLog['listeners'] as Record<string, number>;
  return { proc, ready: readyLog, admin: `http://127.0.0.1:${String(readyLog['admin'])}`, inbound: Number(ports['inbound'] ?? 0), outbound: Number(ports['outbound']) };
}

export interface TlsPilotProcess extends Running {
  readonly xds: string;
  /** The mutual-TLS xDS port (WEFT_PILOT_XDS_TLS_PORT). */
  readonly xdsTls: string;
  readonly http: string;
}

/**
 * A pilot replica with its own SVID from the CA (WEFT_PILOT_CA, a token for weft-pilot in
 * `namespace`): ready once the TLS port serves with its first certificate.
 */
export async function startTlsPilot(
  infra: TestInfra,
  o: { readonly id: string; readonly ca: string; readonly tokenFile: string; readonly namespace?: string; readonly certLifetimeS?: number },
): Promise<TlsPilotProcess> {
  const { proc, readyLog } = await startProcess({
    name: o.id,
    command: process.execPath,
    args: [PILOT_BIN],
    env: {
      ...serviceEnv(infra),
      WEFT_LOG_LEVEL: 'info',
      WEFT_PILOT_REPLICA: o.id,
      WEFT_PILOT_XDS_PORT: '0',
      WEFT_PILOT_XDS_TLS_PORT: '0',
      WEFT_PILOT_HTTP_PORT: '0',
      WEFT_PILOT_DEBOUNCE_MS: '50',
      WEFT_PILOT_CA: o.ca,
      WEFT_PILOT_CA_TOKEN_FILE: o.tokenFile,
      WEFT_PILOT_NAMESPACE: o.namespace ?? 'weft-system',
      WEFT_PILOT_CERT_LIFETIME_S: String(o.certLifetimeS ?? 0),
    },
    ready: (l) => l['msg'] === 'pilot ready',
  });
  await waitFor(() => proc.logs.some((l) => l['msg'] === 'mutual-TLS xds port serving'), { timeoutMs: 20_000, what: `${o.id}'s first certificate` });
  return {
    proc,
    ready: readyLog,
    xds: `127.0.0.1:${String(readyLog['xdsPort'])}`,
    xdsTls: `127.0.0.1:${String(readyLog['xdsTlsPort'])}`,
    http: `http://127.0.0.1:${String(readyLog['httpPort'])}`,
  };
}
