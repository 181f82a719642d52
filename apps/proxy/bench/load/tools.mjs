// External load tools: make sure wrk, haproxy, nginx and h2load are installed (from Debian when
// missing and running as root), run wrk (closed loop, throughput) and h2load (fixed rate).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

const TOOLS = { wrk: 'wrk', haproxy: 'haproxy', nginx: 'nginx', h2load: 'nghttp2-client' };

/** Absolute path of `name` on PATH or in the sbin folders (root's PATH is not always inherited). */
export function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim() !== '') return r.stdout.trim();
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/sbin']) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
}

function apt(args) {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

/** Paths of the four tools; installs the missing ones (as root) or exits with a clear message. */
export function ensureTools() {
  const missing = Object.keys(TOOLS).filter((t) => which(t) === null);
  if (missing.length > 0) {
    const pkgs = missing.map((t) => (t === 'nginx' ? 'nginx-light' : TOOLS[t]));
    if (process.getuid?.() !== 0) {
      console.error(`bench: missing ${missing.join(', ')}; install them with:\n  sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
      process.exit(2);
    }
    console.log(`bench: installing ${pkgs.join(' ')} from Debian …`);
    if (!apt(['update']) || !apt(['install', '-y', '--no-install-recommends', ...pkgs])) {
      const fallback = pkgs.map((p) => (p === 'nginx-light' ? 'nginx' : p));
      if (!apt(['install', '-y', '--no-install-recommends', ...fallback])) {
        console.error(`bench: apt-get install ${pkgs.join(' ')} failed`);
        process.exit(2);
      }
    }
  }
  const paths = Object.fromEntries(Object.keys(TOOLS).map((t) => [t, which(t)]));
  const still = Object.keys(paths).filter((t) => paths[t] === null);
  if (still.length > 0) {
    console.error(`bench: still missing after install: ${still.join(', ')}`);
    process.exit(2);
  }
  return paths;
}

/** Versions, for the report header. */
export function toolVersions(paths) {
  const first = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '?';
  };
  return {
    wrk: first(paths.wrk, ['--version']).split(' [')[0],
    haproxy: first(paths.haproxy, ['-v']).split(' - ')[0],
    nginx: first(paths.nginx, ['-v']),
    h2load: first(paths.h2load, ['--version']),
    node: process.version,
  };
}

const UNITS = { us: 1e-3, ms: 1, s: 1000 };
const toMs = (v, u) => Number(v) * UNITS[u];

/** Parses wrk's report (with --latency). */
export function parseWrk(text) {
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    return m === null ? NaN : toMs(m[1], m[2]);
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
    socketErrors: sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0),
    socketErrorText: sock === null ? '' : sock[0],
    p50ms: pct(50),
    p99ms: pct(99),
  };
}

/** wrk -t1 -cN -dS against `url` with the routed Host header. */
export async function runWrk(wrk, url, host, { connections, seconds }) {
  const { stdout } = await run(wrk, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, url], {
    timeout: (seconds + 30) * 1000,
  });
  return { ...parseWrk(stdout), raw: stdout };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * h2load over HTTP/1.1 at a fixed rate (`connections` × `perConnection` rps). h2load prints only
 * min/max/mean/sd, so percentiles come from its per-request log. Its clients fire in step (bursts
 * of `connections` requests) and it times from the send, not the schedule: a service time.
 */
export async function runH2load(h2load, url, host, { connections, rate, seconds, warmupSeconds, logFile }) {
  rmSync(logFile, { force: true });
  const perConnection = Math.max(1, Math.round(rate / connections));
  const args = ['--h1', '-c', String(connections), '--rps', String(perConnection), '-D', String(seconds)];
  args.push('--warm-up-time', String(warmupSeconds), '-H', `:authority: ${host}`, '--log-file', logFile, url);
  const { stdout } = await run(h2load, args, { timeout: (seconds + warmupSeconds + 30) * 1000 });
  const rows = readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => l !== '');
  const micros = [];
  let non2xx = 0;
  for (const row of rows) {
    const [, status, us] = row.split('\t');
    if (status < '200' || status >= '300') non2xx++;
    micros.push(Number(us));
  }
  micros.sort((a, b) => a - b);
  const failed = Number(/requests: .* (\d+) failed, (\d+) errored/.exec(stdout)?.[1] ?? 0);
  return {
    count: micros.length,
    non2xx: non2xx + failed,
    p50ms: percentile(micros, 50) / 1000,
    p99ms: percentile(micros, 99) / 1000,
    maxMs: percentile(micros, 100) / 1000,
    rps: Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? NaN),
  };
}
