import { join, resolve } from 'node:path';
import { serviceEnv, startProcess, type TestInfra, type TestProcess } from '@weft/testing';

/** The built weft-telemetry bin (weftctl's test target builds telemetry first). */
export const TELEMETRY_BIN = join(resolve(__dirname, '..', '..'), 'telemetry/bin/weft-telemetry.js');

/** A weft-telemetry replica as users run it, on the suite's NATS/Redis prefixes; its URL for WEFT_TELEMETRY_URL. */
export async function startTelemetryProcess(infra: TestInfra, env: Record<string, string> = {}): Promise<{ proc: TestProcess; url: string }> {
  const { proc, readyLog } = await startProcess({
    name: 'telemetry',
    command: process.execPath,
    args: [TELEMETRY_BIN],
    env: {
      ...serviceEnv(infra),
      WEFT_TELEMETRY_HTTP_PORT: '0',
      WEFT_TELEMETRY_FLUSH_MS: '200',
      ...env,
    },
    ready: (log) => log['msg'] === 'telemetry ready',
  });
  return { proc, url: `http://127.0.0.1:${String(readyLog['httpPort'])}` };
}
