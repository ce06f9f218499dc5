/**
 * A loopback trust-service stub for tests: a real HTTP server on 127.0.0.1 (random port) that
 * serves configurable documents per path (TIL issuer documents, the Trusted Services List, the
 * revoked credential list, status-list credentials) and can be switched at run time, per path
 * or path prefix, into the failure modes a trust service shows in the wild. It counts requests
 * per path so tests can assert how many fetches happened, and close() ends every socket
 * (including the ones a `hang` holds open).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

export type StubMode =
  /** The configured document (404 when there is none). */
  | 'ok'
  | '500'
  | '503'
  /** 429 with `Retry-After`. */
  | '429'
  /** Accepts the request and never answers. */
  | 'hang'
  /** Answers with the document after `slowMs`. */
  | 'slow'
  /** Sends the headers, then the document `dripBytes` at a time every `dripIntervalMs`. */
  | 'drip'
  /** 200 with an empty body. */
  | 'empty'
  /** 200 with a mapping that lacks the expected key: `{"message":"rate limited"}`. */
  | 'keyless'
  /** 200 with random bytes. */
  | 'garbage'
  /** 200 with a body of `hugeBytes` (larger than any of our response caps). */
  | 'huge'
  /** 200 with a deeply nested `[[[…]]]` document of `deepBytes`. */
  | 'deep';

export const STUB_MODES: readonly StubMode[] = ['ok', '500', '503', '429', 'hang', 'slow', 'drip', 'empty', 'keyless', 'garbage', 'huge', 'deep'];

export interface StubTuning {
  slowMs: number;
  dripBytes: number;
  dripIntervalMs: number;
  retryAfterSeconds: number;
  hugeBytes: number;
  deepBytes: number;
}

export const DEFAULT_TUNING: StubTuning = {
  slowMs: 1500,
  dripBytes: 4,
  dripIntervalMs: 200,
  retryAfterSeconds: 30,
  hugeBytes: 8 * 1024 * 1024,
  deepBytes: 200 * 1024,
};

export interface StubDocument {
  body: string | Buffer;
  contentType?: string;
  status?: number;
}

export interface TrustServiceStub {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** The absolute URL of a path (`/revoked.yaml` → `http://127.0.0.1:<port>/revoked.yaml`). */
  url(path: string): string;
  /** Serves `doc` at `path` (replacing any earlier document). */
  serve(path: string, doc: string | StubDocument): void;
  /** Removes the document at `path` (it answers 404 in `ok` mode). */
  remove(path: string): void;
  /**
   * Sets the mode for a path or a path prefix (ending in `/`; `/` covers everything). The
   * longest matching key wins; paths without one are `ok`.
   */
  setMode(pathOrPrefix: string, mode: StubMode, tuning?: Partial<StubTuning>): void;
  modeOf(path: string): StubMode;
  /** Requests received for a path (a key ending in `/` sums every path under it); no argument: all. */
  requests(pathOrPrefix?: string): number;
  /** The W3C `traceparent` header of every request received, in order (undefined when absent). */
  readonly traceparents: ReadonlyArray<string | undefined>;
  resetCounts(): void;
  close(): Promise<void>;
}

/** `[` × n then `]` × n: a document nested n levels deep, 2n bytes. */
export function deepDocument(bytes: number): string {
  const n = Math.max(1, Math.floor(bytes / 2));
  return '['.repeat(n) + ']'.repeat(n);
}

export const KEYLESS_BODY = '{"message":"rate limited"}';

export async function createTrustServiceStub(): Promise<TrustServiceStub> {
  const docs = new Map<string, StubDocument>();
  const modes = new Map<string, { mode: StubMode; tuning: StubTuning }>();
  const counts = new Map<string, number>();
  const traceparents: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const setTimer = (fn: () => void, ms: number, repeat = false): NodeJS.Timeout => {
    const t = repeat ? setInterval(fn, ms) : setTimeout(() => (timers.delete(t), fn()), ms);
    timers.add(t);
    return t;
  };
  const clearTimer = (t: NodeJS.Timeout) => {
    clearInterval(t);
    timers.delete(t);
  };

  const lookup = (path: string) => {
    let best: { key: string; mode: StubMode; tuning: StubTuning } | undefined;
    for (const [key, v] of modes) {
      const match = key === path || (key.endsWith('/') && path.startsWith(key));
      if (match && (!best || key.length > best.key.length)) best = { key, ...v };
    }
    return best ?? { key: path, mode: 'ok' as const, tuning: DEFAULT_TUNING };
  };

  const sendDocument = (res: ServerResponse, path: string) => {
    const doc = docs.get(path);
    if (!doc) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"Not Found"}');
    res.writeHead(doc.status ?? 200, { 'content-type': doc.contentType ?? 'application/octet-stream' }).end(doc.body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    counts.set(path, (counts.get(path) ?? 0) + 1);
    traceparents.push(typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined);
    const { mode, tuning } = lookup(path);
    switch (mode) {
      case 'ok':
        return sendDocument(res, path);
      case '500':
        return void res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      case '503':
        return void res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      case '429':
        return void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(tuning.retryAfterSeconds) }).end(KEYLESS_BODY);
      case 'hang':
        return; // accepted; never answered (close() ends the socket)
      case 'slow': {
        const t = setTimer(() => sendDocument(res, path), tuning.slowMs);
        res.on('close', () => clearTimer(t));
        return;
      }
      case 'drip': {
        const doc = docs.get(path);
        const body = Buffer.from(doc?.body ?? '');
        res.writeHead(200, { 'content-type': doc?.contentType ?? 'application/octet-stream', 'content-length': String(body.length) });
        let at = 0;
        const t = setTimer(
          () => {
            if (at >= body.length) {
              clearTimer(t);
              return void res.end();
            }
            res.write(body.subarray(at, at + tuning.dripBytes));
            at += tuning.dripBytes;
          },
          tuning.dripIntervalMs,
          true,
        );
        res.on('close', () => clearTimer(t));
        return;
      }
      case 'empty':
        return void res.writeHead(200, { 'content-type': 'application/yaml', 'content-length': '0' }).end();
      case 'keyless':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(KEYLESS_BODY);
      case 'garbage':
        return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(randomBytes(4096));
      case 'huge': {
        // Streamed in 64 KiB chunks with back-pressure; a client that gives up stops it.
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let left = tuning.hugeBytes;
        res.writeHead(200, { 'content-type': 'application/yaml', 'content-length': String(left) });
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        return pump();
      }
      case 'deep':
        return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(deepDocument(tuning.deepBytes));
    }
  };

  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    traceparents,
    url: (path) => `${base}${path.startsWith('/') ? path : `/${path}`}`,
    serve(path, doc) {
      docs.set(path, typeof doc === 'string' ? { body: doc } : doc);
    },
    remove(path) {
      docs.delete(path);
    },
    setMode(key, mode, tuning = {}) {
      if (mode === 'ok' && Object.keys(tuning).length === 0) modes.delete(key);
      else modes.set(key, { mode, tuning: { ...DEFAULT_TUNING, ...tuning } });
    },
    modeOf: (path) => lookup(path).mode,
    requests(key) {
      if (key === undefined) return [...counts.values()].reduce((a, b) => a + b, 0);
      let n = 0;
      for (const [path, c] of counts) if (path === key || (key.endsWith('/') && path.startsWith(key))) n += c;
      return n;
    },
    resetCounts: () => counts.clear(),
    async close() {
      for (const t of [...timers]) clearTimer(t);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
