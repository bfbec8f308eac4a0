import type { CliIO } from './io.js';

/** A CLI io that records what a command prints; stdin yields the given lines; env is passed through. */
export function captureIO(
  options: { stdin?: string[]; env?: Record<string, string | undefined> } = {},
): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    readStdin: async function* () {
      yield* options.stdin ?? [];
    },
    ...(options.env ? { env: options.env } : {}),
  };
  return io;
}
