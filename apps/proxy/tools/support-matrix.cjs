#!/usr/bin/env node
'use strict';
// Regenerates the support matrix block of docs/proxy-config.md from SUPPORT_MATRIX (the built
// dist/config; run `npx nx run proxy:build` first). `--check` exits 1 when the docs are out of date
// (support-matrix.spec.ts checks the same in the test suite).
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { renderSupportMatrix } = require('../dist/config');

const DOC = join(__dirname, '..', '..', '..', 'docs', 'proxy-config.md');
const BEGIN = '<!-- support-matrix:begin';
const END = '<!-- support-matrix:end';

const text = readFileSync(DOC, 'utf8');
const from = text.indexOf('\n', text.indexOf(BEGIN)) + 1;
const to = text.indexOf(END);
if (from === 0 || to === -1) throw new Error(`${DOC}: the ${BEGIN} … ${END} markers are missing`);
const next = `${text.slice(0, from)}\n${renderSupportMatrix()}${text.slice(to)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    process.stderr.write(`${DOC}: the support matrix is out of date: run node apps/proxy/tools/support-matrix.cjs\n`);
    process.exit(1);
  }
} else if (next !== text) {
  writeFileSync(DOC, next);
  process.stdout.write(`${DOC}: support matrix updated\n`);
}
