import { createInterface } from 'node:readline';
import { commands } from './commands.js';
import type { CliIO } from './io.js';
import { version } from '../version.js';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.usage.length), 10);
  const lines = [
    'flowbridge: run Logic Apps / Power Automate workflow definitions on your own machine',
    '',
    'Usage: flowbridge <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    `  ${'--help, -h'.padEnd(width)}  show this help (or: flowbridge <command> --help)`,
    `  ${'--version, -v'.padEnd(width)}  print the version`,
  ];
  return lines.join('\n') + '\n';
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
};

/** Runs the CLI with the given arguments; resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText());
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout(`${version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.stderr(`flowbridge: unknown command '${first}'\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: flowbridge ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  const module = await command.load();
  return module.run(rest, io);
}
