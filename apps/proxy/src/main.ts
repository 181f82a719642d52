import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConfigSnapshot } from '@weft/proxy-core';
import { createLogger, isWeftError, type Logger } from '@weft/shared';
import { releaseEnvoyProtoRoot } from '@weft/xds';
import { proxyHelp, readFlags, type ProxyFlags } from './config/flags';
import { loadBootstrap, type BootstrapResult } from './config';
import { applyFlagOverrides } from './config/flag-overrides';
import type { TelemetryOptions } from './observability/telemetry/telemetry-reporter';
import { Proxy, type TelemetrySetup } from './proxy';
import type { RunningIdentity } from './tls/identity-runtime';
import type { WorkloadIdentity } from './tls/workload-identity';

/**
 * Static mode parses config only at start, on SIGHUP and on POST /config: the Envoy proto root
 * (about 17 MB) is released after each parse and loaded again by the next one.
 */
function parseWith(flags: ProxyFlags, file: string) {
  return (yaml: string): ConfigSnapshot => {
    try {
      return applyFlagOverrides(loadBootstrap(yaml, basename(file)).snapshot, flags);
    } finally {
      releaseEnvoyProtoRoot();
    }
  };
}

function fatal(log: Logger, err: unknown, msg: string, code = 1): never {
  log.fatal({ err: isWeftError(err) || err instanceof Error ? err.message : err }, msg);
  process.exit(code);
}

/** Reporting to telemetry (--nats): the reporter (NATS client, histograms) is loaded only then. */
async function telemetryOf(flags: ProxyFlags): Promise<TelemetrySetup | null> {
  const options = telemetryOptionsOf(flags);
  if (options === null) return null;
  const { TelemetryReporter } = await import('./observability/telemetry/telemetry-reporter.js');
  return { options, Reporter: TelemetryReporter };
}

/** The workload name: `<service>-<version label>` (Istio's deployment naming), or the service. */
function workloadOf(flags: ProxyFlags): string {
  const version = flags.labels['version'];
  return version === undefined || version === '' ? flags.service : `${flags.service}-${version}`;
}

/** The proxy's identity from --service, --namespace, --labels version, --node-id. */
function telemetryOptionsOf(flags: ProxyFlags): TelemetryOptions | null {
  if (flags.nats === undefined) return null;
  const workload = workloadOf(flags);
  return {
    natsUrl: flags.nats,
    subjectPrefix: flags['subject-prefix'],
    intervalMs: flags['telemetry-interval-ms'],
    traceSamplingPercent: flags['trace-sampling'],
    logSamplingPercent: flags['log-sampling'],
    identity: { id: flags['node-id'] ?? `${workload}.${flags.namespace}~${process.pid}`, service: flags.service, workload, namespace: flags.namespace },
  };
}

async function newProxy(flags: ProxyFlags, log: Logger, parseConfig: (yaml: string) => ConfigSnapshot, adminPort: number | null, identity: WorkloadIdentity | null): Promise<Proxy> {
  return new Proxy({
    identity,
    logger: log,
    parseConfig,
    accessLog: flags['access-log'],
    workload: workloadOf(flags),
    service: flags.service,
    namespace: flags.namespace,
    drainTimeoutMs: flags['drain-timeout-ms'],
    adminPort,
    telemetry: await telemetryOf(flags),
  });
}

/** A static bootstrap (--config), reloaded on SIGHUP. */
async function runStatic(flags: ProxyFlags, file: string, log: Logger, svid: RunningIdentity | null): Promise<Proxy> {
  const parse = parseWith(flags, file);
  let snapshot: ConfigSnapshot;
  try {
    snapshot = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fatal(log, err, 'invalid bootstrap');
  }
  const proxy = await newProxy(flags, log, parse, flags['admin-port'] ?? null, svid?.identity ?? null);
  await proxy.apply(snapshot).catch((err: unknown) => fatal(log, err, 'proxy failed to start'));
  // Ready (as /ready) once the config is applied and, with --ca, the first certificate installed.
  void Promise.resolve(svid?.ready).then(() =>
    log.info({ listeners: Object.fromEntries(proxy.ports), admin: proxy.adminListeningPort, version: snapshot.version }, 'proxy ready'),
  );
  process.on('SIGHUP', () => {
    proxy.applyConfig(readFileSync(file, 'utf8')).then(
      (version) => log.info({ version }, 'config reloaded on SIGHUP'),
      () => undefined,
    );
  });
  return proxy;
}

/** Config from the xDS server (--xds), served from the on-disk cache until the server answers. */
async function runXds(flags: ProxyFlags & { xds: string }, log: Logger, svid: RunningIdentity | null): Promise<{ proxy: Proxy; stop: () => Promise<void> }> {
  let bootstrap: BootstrapResult | null = null;
  try {
    if (flags.config !== undefined) bootstrap = loadBootstrap(readFileSync(flags.config, 'utf8'), basename(flags.config), { xds: true });
  } catch (err) {
    fatal(log, err, 'invalid bootstrap');
  }
  const refuse = (): ConfigSnapshot => {
    throw new Error('the configuration comes from the xDS server (--xds): POST /config is not available');
  };
  const { createXdsClient, xdsAdminPort } = await import('./xds/xds-runtime.js');
  const proxy = await newProxy(flags, log, refuse, xdsAdminPort(flags, bootstrap), svid?.identity ?? null);
  await proxy.openAdmin().catch((err: unknown) => fatal(log, err, 'admin listener failed to start'));
  const client = createXdsClient({ flags, bootstrap, proxy, log, identity: svid?.identity ?? null });
  const fromCache = client.start();
  log.info({ admin: proxy.adminListeningPort, xds: flags.xds, protocol: flags['xds-protocol'], fromCache }, 'proxy started; waiting for xds config');
  process.on('SIGHUP', () => log.info('SIGHUP ignored: the configuration comes from the xDS server'));
  void Promise.all([client.ready, svid?.ready]).then(() =>
    log.info({ listeners: Object.fromEntries(proxy.ports), admin: proxy.adminListeningPort, version: proxy.configVersion, xds: flags.xds }, 'proxy ready'),
  );
  return { proxy, stop: () => client.stop() };
}

async function main(argv: string[]): Promise<void> {
  let flags: ProxyFlags;
  try {
    flags = readFlags(argv);
  } catch (err) {
    process.stderr.write(`weft-proxy: ${(err as Error).message}\n\n${proxyHelp()}`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(proxyHelp());
    return;
  }
  const log = createLogger('weft-proxy', { level: flags['log-level'] });
  const xds = flags.xds;
  if (xds === undefined && flags.config === undefined) fatal(log, 'give --config FILE (a static bootstrap) or --xds ADDR (see docs/proxy.md)', 'no configuration', 2);
  const tokenFile = flags['token-file'];
  if (flags.ca !== undefined && tokenFile === undefined) fatal(log, '--ca needs --token-file (the bootstrap token for the first certificate)', 'invalid flags', 2);
  if (flags['xds-tls'] && flags.ca === undefined) fatal(log, '--xds-tls needs --ca (the proxy presents its SVID to pilot)', 'invalid flags', 2);
  const svid = flags.ca !== undefined && tokenFile !== undefined ? (await import('./tls/identity-runtime.js')).startIdentity({ ...flags, ca: flags.ca, 'token-file': tokenFile }, log) : null;
  const running =
    xds !== undefined ? await runXds({ ...flags, xds }, log, svid) : { proxy: await runStatic(flags, flags.config as string, log, svid), stop: async () => undefined };
  const stop = (signal: string): void => {
    log.info({ signal }, 'draining');
    svid?.manager.stop();
    void running
      .stop()
      .then(() => running.proxy.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main(process.argv.slice(2));
