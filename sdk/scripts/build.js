#!/usr/bin/env node
// Builds sdk/dist: CommonJS with declarations by tsc (dist/cjs), ES modules by esbuild (dist/esm, one file per entry
// so a bundler tree-shakes the documents a program does not use). Needs only the package's own devDependencies, so
// it runs in the repository (`npm run sdk:build`), in sdk/ (`npm run build`, `npm pack`) and in a copy of sdk/.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const SDK = path.resolve(__dirname, '..');
const ENTRIES = ['index', 'documents'];

rmSync(path.join(SDK, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(SDK, 'tsconfig.json')], { stdio: ['ignore', process.stderr, process.stderr] });

require('esbuild').buildSync({
  absWorkingDir: SDK,
  entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, `src/${e}.ts`])),
  outdir: 'dist/esm',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
});
// ESM declarations: the CJS ones, re-exported from .d.mts files so TypeScript treats them as ES modules (node16/bundler).
mkdirSync(path.join(SDK, 'dist', 'esm'), { recursive: true });
for (const e of ENTRIES) writeFileSync(path.join(SDK, 'dist', 'esm', `${e}.d.mts`), `export * from '../cjs/${e}.js';\n`);
// stderr: `npm pack --json` prints its JSON on stdout after this script.
console.error('sdk/dist: cjs (tsc) and esm (esbuild) built');
