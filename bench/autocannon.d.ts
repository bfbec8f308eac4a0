// The part of autocannon's programmatic API that bench/autocannon-load.ts uses (it ships no types).
declare module 'autocannon' {
  interface Request {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface Options {
    url: string;
    connections: number;
    duration: number;
    workers?: number;
    timeout?: number;
    requests: Request[];
  }
  interface Result {
    duration: number;
    errors: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: { p50: number; p99: number; max: number };
    requests: { total: number };
  }
  export default function autocannon(options: Options): Promise<Result>;
}
