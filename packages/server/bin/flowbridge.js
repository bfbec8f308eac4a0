#!/usr/bin/env node
// The flowbridge CLI. Runs the compiled JavaScript (built by `npm install` through `prepare`)
// so that it starts fast: the bundle that scripts/build.mjs makes of it when esbuild is there,
// otherwise dist/ as tsc wrote it. Commands load their modules lazily.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
