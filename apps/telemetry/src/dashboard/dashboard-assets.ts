import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { WeftError } from '@weft/shared';

/**
 * Where the dashboard's static files live: `apps/telemetry/dashboard/`, part of the package next to
 * `dist/` and `src/` (this file sits in `src/dashboard/` or `dist/dashboard/`, two levels below), so
 * the built bin and the sources under test find the same files. No build step: plain ES modules + CSS.
 */
export const DEFAULT_DASHBOARD_DIR = resolve(__dirname, '..', '..', 'dashboard');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export interface DashboardAsset {
  readonly body: Buffer;
  readonly type: string;
}

/** The dashboard's files, read once at start (a few tens of KB); served only by exact name. */
export class DashboardAssets {
  private constructor(
    readonly dir: string,
    private readonly files: ReadonlyMap<string, DashboardAsset>,
  ) {}

  /** Reads every servable file of `dir` (flat); a missing directory or index.html is a start-up error. */
  static load(dir: string = DEFAULT_DASHBOARD_DIR): DashboardAssets {
    const files = new Map<string, DashboardAsset>();
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (cause) {
      throw new WeftError('WEFT_ERR_TELEMETRY_DASHBOARD_ASSETS', 'internal', `dashboard assets not found at ${dir}`, { cause });
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      const path = join(dir, name);
      if (type === undefined || !statSync(path).isFile()) continue;
      files.set(name, { body: readFileSync(path), type });
    }
    if (!files.has('index.html')) throw new WeftError('WEFT_ERR_TELEMETRY_DASHBOARD_ASSETS', 'internal', `dashboard assets at ${dir} lack index.html`);
    return new DashboardAssets(dir, files);
  }

  get(name: string): DashboardAsset | null {
    return this.files.get(name) ?? null;
  }
}
