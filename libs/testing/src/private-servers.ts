import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { waitFor, withDeadline } from './wait';

/** Debian installs nats-server in /usr/sbin, which a non-root PATH may lack. */
const NATS_SERVER = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

/** A loopback port free right now (for a server a test stops and restarts on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A private nats-server on 127.0.0.1:`port`, for tests that stop and restart NATS under a component
 * (the shared one must stay up for everyone else); resolves once it accepts connections.
 */
export async function startNatsServer(port: number): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitFor(
    async () => {
      const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
      await nc.close();
      return true;
    },
    { timeoutMs: 10_000, what: 'nats-server to accept connections' },
  );
  return child;
}

/** SIGTERM and wait for the exit (deadline 10 s). */
export async function stopServer(child: ChildProcess, what = 'the server'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await withDeadline(exited, 10_000, `${what} to stop`);
}
