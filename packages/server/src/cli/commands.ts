/**
 * The CLI's command table. Each command's module is imported only when that command runs,
 * so `flowbridge --version` and `--help` load nothing but this file.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `eval -`). */
  readStdin: () => AsyncIterable<string>;
}

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  load: () => Promise<{ run: (args: string[], io: CliIO) => Promise<number> }>;
}

export const commands: CommandSpec[] = [];
