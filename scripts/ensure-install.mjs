#!/usr/bin/env node
// Installs the workspace's npm dependencies when they are missing or older than package-lock.json.
// Node builtins only: this runs on a fresh clone, before anything else is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, UserError, fail, isMain, log } from './proc.mjs';

/** Why an install is needed, or null when node_modules matches package-lock.json. */
export function installReason(root = ROOT) {
  // npm writes node_modules/.package-lock.json last, after every install or ci.
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return 'node_modules is missing';
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
    return 'package-lock.json is newer than node_modules';
  }
  return null;
}

/** Runs `npm ci` if needed; returns true when it installed something. */
export function ensureInstall({ root = ROOT } = {}) {
  const reason = installReason(root);
  if (!reason) return false;
  log(`${reason}: running npm ci`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.error) throw new UserError(`could not run npm: ${result.error.message}`);
  if (result.status !== 0) throw new UserError(`npm ci failed (exit ${result.status ?? result.signal})`);
  return true;
}

if (isMain(import.meta.url)) {
  try {
    ensureInstall();
  } catch (err) {
    fail(err);
  }
}
