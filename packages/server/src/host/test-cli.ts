// The CLI from source, for tests that spawn `flowbridge` as a process:
// node --conditions=source --import tsx test-cli.ts start ...
import { main } from '../cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
