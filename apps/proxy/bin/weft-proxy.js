#!/usr/bin/env node
'use strict';
// Route regexes are RE2 syntax (Envoy's safe_regex) run on V8's backtracking engine; this flag makes
// V8 switch a regex that backtracks excessively to its linear-time engine, so a pathological pattern
// or input cannot stall the proxy. It must be set before any regex is compiled.
require('node:v8').setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
require('../dist/main.js');
