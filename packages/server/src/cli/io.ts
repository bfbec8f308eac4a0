/** What a CLI command reads and writes: the process's streams and environment, or a test's. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `eval -`). */
  readStdin: () => AsyncIterable<string>;
  /** Environment variables (FLOWBRIDGE_URL, FLOWBRIDGE_TOKEN); process.env when absent. */
  env?: Record<string, string | undefined>;
}
