#!/usr/bin/env node
// The flowbridge CLI. Runs the compiled JavaScript (built by `npm install` through `prepare`)
// so that it starts fast; commands load their modules lazily.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
