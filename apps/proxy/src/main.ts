import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConfigSnapshot } from '@weft/proxy-core';
import { createLogger, isWeftError } from '@weft/shared';
import { proxyHelp, readFlags, type ProxyFlags } from './config/flags';
import { loadBootstrap } from './config';
import { applyFlagOverrides } from './config/flag-overrides';
import { Proxy } from './proxy';

function parseWith(flags: ProxyFlags, file: string) {
  return (yaml: string): ConfigSnapshot => applyFlagOverrides(loadBootstrap(yaml, basename(file)).snapshot, flags);
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
  if (flags.xds !== undefined || flags.ca !== undefined) {
    log.fatal('--xds and --ca arrive with the pilot and CA components; run with --config for now');
    process.exit(2);
  }
  if (flags.config === undefined) {
    log.fatal('--config FILE is required (a static bootstrap; see docs/proxy.md)');
    process.exit(2);
  }
  const file = flags.config;
  const parse = parseWith(flags, file);
  let snapshot: ConfigSnapshot;
  try {
    snapshot = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    log.fatal({ err: isWeftError(err) || err instanceof Error ? err.message : err }, 'invalid bootstrap');
    process.exit(1);
  }
  const proxy = new Proxy({
    logger: log,
    parseConfig: parse,
    accessLog: flags['access-log'],
    workload: flags.service,
    namespace: flags.namespace,
    drainTimeoutMs: flags['drain-timeout-ms'],
    adminPort: flags['admin-port'] ?? null,
  });
  try {
    await proxy.apply(snapshot);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'proxy failed to start');
    process.exit(1);
  }
  log.info({ listeners: Object.fromEntries(proxy.ports), admin: proxy.adminListeningPort, version: snapshot.version }, 'proxy ready');
  process.on('SIGHUP', () => {
    proxy.applyConfig(readFileSync(file, 'utf8')).then(
      (version) => log.info({ version }, 'config reloaded on SIGHUP'),
      () => undefined,
    );
  });
  const stop = (signal: string): void => {
    log.info({ signal }, 'draining');
    void proxy.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main(process.argv.slice(2));
