// Minimal typing of the autocannon API used by the benchmarks.
declare module 'autocannon' {
  interface Histogram { average: number; p50: number; p90: number; p99: number; max: number; total: number }
  interface Result { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number; duration: number; statusCodeStats: Record<string, { count: number }> }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    maxOverallRequests?: number;
    timeout?: number;
    requests?: Array<Record<string, unknown>>;
  }
  interface Instance {
    on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  }
  function autocannon(options: Options): Promise<Result>;
  function autocannon(options: Options, cb: (err: Error | null, result: Result) => void): Instance;
  export type { Result, Options, Instance };
  export default autocannon;
}
