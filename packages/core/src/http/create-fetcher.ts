/**
 * The one outbound HTTP client of the Verifier (implements the `Fetcher` port).
 *
 * - GET (POST with a body for operator URLs only), `node:http`/`node:https` with keep-alive
 *   agents, never follows redirects.
 * - One deadline for the whole exchange (connect + headers + body): slow servers are cut.
 * - Body cap enforced while streaming (and from Content-Length before reading).
 * - 'untrusted' URLs: https only, no userinfo, and every address the host resolves to must
 *   be public. The check runs inside the socket's `lookup`, so the connection goes to the
 *   address that was validated (no DNS-rebinding window). IP literals are checked up front.
 * - 'operator' URLs: http/https to any host, or a local file path / `file:` URL.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { createReadStream } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, isIPv4, type LookupFunction } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FetchError,
  type Fetcher,
  type FetchPurpose,
  type FetchRequest,
  type FetchResponse,
} from '../ports/fetcher.ts';

export interface FetcherOptions {
  /** Permit http: and loopback/private/link-local addresses for 'untrusted' URLs (dev/tests only). */
  allowInsecure: boolean;
  /** Default timeout in ms for the whole exchange (connect + headers + body). Default 2500. */
  timeoutMs?: number;
  /** Called once per fetch with outcome for metrics: ('ok'|'http_error'|FetchErrorReason). Optional. */
  onResult?: (purpose: FetchPurpose, outcome: string, ms: number) => void;
  /**
   * The tracing port: wraps each fetch (the server's OpenTelemetry tracing makes it a span).
   * `target` names the URL's scheme and host only — never its path or query, which may carry
   * identifiers; `run` sends the request with the extra `headers` (W3C `traceparent`). Optional.
   */
  trace?: (target: FetchTarget, run: (headers: Readonly<Record<string, string>>) => Promise<FetchResponse>) => Promise<FetchResponse>;
}

/** What a trace may record about a fetch: its purpose, scheme and host (`file` and '' for a local path). */
export interface FetchTarget {
  purpose: FetchPurpose;
  scheme: string;
  host: string;
}

function fetchTarget(req: FetchRequest): FetchTarget {
  const scheme = HAS_SCHEME.exec(req.url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return { purpose: req.purpose, scheme: 'file', host: '' };
  try {
    return { purpose: req.purpose, scheme, host: new URL(req.url).host };
  } catch {
    return { purpose: req.purpose, scheme, host: '' };
  }
}

export type ClosableFetcher = Fetcher & { close(): void };

const DEFAULT_TIMEOUT_MS = 2500;
const USER_AGENT = 'dome-verifier';

// Address policy

/** IPv4 special-purpose ranges (IANA registry + multicast/reserved) that are never fetched. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4], // 240/4 includes 255.255.255.255
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}
const BLOCKED_V4_INT = BLOCKED_V4.map(([base, bits]) => [v4ToInt(base), bits] as const);

function isPublicV4(n: number): boolean {
  return !BLOCKED_V4_INT.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** Parses a valid IPv6 text form (zone id stripped) into its eight 16-bit groups. */
function v6Groups(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = v4ToInt(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * True when `ip` is a globally routable unicast address that an 'untrusted' URL may reach.
 * IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are
 * judged by their embedded IPv4 address. Non-IP input → false.
 */
export function isPublicAddress(ip: string): boolean {
  const addr = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(addr)) return isPublicV4(v4ToInt(addr));
  if (isIP(addr) !== 6) return false;
  const g = v6Groups(addr);
  const embedded = (hi: number, lo: number): boolean => isPublicV4((g[hi] ?? 0) * 0x10000 + (g[lo] ?? 0));
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  const [g0 = 0, g1 = 0] = g;
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(6, 7); // ::ffff:a.b.c.d
  if (zeros(0, 6)) return false; // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && zeros(2, 6)) return embedded(6, 7);
  if (g0 === 0x2002) return embedded(1, 2);
  if ((g0 & 0xe000) !== 0x2000) return false; // outside 2000::/3 global unicast (fc00::/7, fe80::/10, ff00::/8, …)
  if (g0 === 0x2001 && g1 < 0x200) return false; // 2001::/23 IETF protocol assignments (Teredo, benchmarking, …)
  if (g0 === 0x2001 && g1 === 0xdb8) return false; // documentation
  if (g0 === 0x3fff && g1 < 0x1000) return false; // 3fff::/20 documentation
  return true;
}

class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A socket `lookup` for guarded requests: resolves every address of the host and refuses the
 * connection unless all of them are public. Exported (with an injectable resolver) for tests.
 */
export function createGuardedLookup(resolve: Resolver = (h, o, cb) => dnsLookup(h, o, cb)): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const first = addresses[0];
      if (!first || addresses.some((a) => !isPublicAddress(a.address))) {
        return callback(new BlockedAddressError('host resolves to a non-public address'), '');
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

// Transport

function parseMaxAge(cacheControl: string | undefined): number | undefined {
  const m = cacheControl ? /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl) : null;
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

const FILE_TYPES: Record<string, string> = { '.yaml': 'application/yaml', '.yml': 'application/yaml', '.json': 'application/json' };

async function readLocalFile(path: string, maxBytes: number): Promise<FetchResponse> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // `end` is inclusive: at most maxBytes + 1 bytes are ever read, enough to detect overflow.
    for await (const chunk of createReadStream(path, { start: 0, end: maxBytes })) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new FetchError('too_large', `local file exceeds ${maxBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return { status: 404, contentType: undefined, body: Buffer.alloc(0) };
    }
    throw new FetchError('network', `cannot read local file (${code ?? 'error'})`, { cause: err });
  }
  return { status: 200, contentType: FILE_TYPES[extname(path).toLowerCase()], body: Buffer.concat(chunks) };
}

interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
  /** Only for guarded requests, so that a pooled socket to a private address is never reused for them. */
  guardedHttps: HttpsAgent;
}

function httpGet(url: URL, req: FetchRequest, agent: HttpAgent, timeoutMs: number, extraHeaders: Readonly<Record<string, string>> | undefined): Promise<FetchResponse> {
  const origin = `${url.protocol}//${url.host}`;
  const body = req.method === 'POST' ? Buffer.from(req.body ?? '') : undefined;
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const client = send({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: req.method ?? 'GET',
      auth: url.username ? decodeURIComponent(`${url.username}:${url.password}`) : undefined,
      headers: {
        ...extraHeaders,
        accept: req.accept ?? 'application/json',
        'user-agent': USER_AGENT,
        ...(body ? { 'content-type': req.contentType ?? 'application/octet-stream', 'content-length': String(body.length) } : {}),
      },
      agent,
    });
    const settle = (err: FetchError | undefined, res?: FetchResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        client.destroy();
        reject(err);
      } else if (res) resolve(res);
    };
    const tooLarge = (): void => settle(new FetchError('too_large', `response exceeds ${req.maxBytes} bytes: ${origin}`));
    const network = (cause?: unknown): void => settle(new FetchError('network', `network error: ${origin}`, { cause }));
    timer = setTimeout(() => settle(new FetchError('timeout', `timed out after ${timeoutMs} ms: ${origin}`)), timeoutMs);

    client.on('error', (err) =>
      err instanceof BlockedAddressError ? settle(new FetchError('blocked', `${err.message}: ${origin}`)) : network(err),
    );
    client.on('response', (res) => {
      res.on('error', network);
      if (Number(res.headers['content-length']) > req.maxBytes) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxBytes) return tooLarge();
        chunks.push(chunk);
      });
      res.on('end', () => {
        const maxAgeSeconds = parseMaxAge(res.headers['cache-control']);
        settle(undefined, {
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks),
          ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
        });
      });
      res.on('close', () => network()); // closed before 'end' (no-op after success)
    });
    client.end(body);
  });
}

// Policy + entry point

const HAS_SCHEME = /^([a-zA-Z][a-zA-Z\d+.-]*):/;

async function fetchOnce(req: FetchRequest, options: FetcherOptions, agents: Agents, extraHeaders?: Readonly<Record<string, string>>): Promise<FetchResponse> {
  if (!req.url) throw new FetchError('bad_url', 'empty URL');
  const trusted = req.purpose === 'operator';
  const scheme = HAS_SCHEME.exec(req.url)?.[1]?.toLowerCase();
  if (req.method === 'POST' && (!trusted || scheme === undefined || scheme === 'file')) {
    throw new FetchError('blocked', 'POST is only allowed to operator http(s) URLs');
  }

  if (scheme === undefined || scheme === 'file') {
    if (!trusted) throw new FetchError('blocked', 'local files may only be read for operator URLs');
    let path = req.url;
    if (scheme === 'file') {
      try {
        path = fileURLToPath(req.url);
      } catch {
        throw new FetchError('bad_url', 'invalid file URL');
      }
    }
    return readLocalFile(path, req.maxBytes);
  }

  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new FetchError('bad_url', 'invalid URL');
  }
  const guarded = !trusted && !options.allowInsecure;
  if (url.protocol !== 'https:' && (guarded || url.protocol !== 'http:')) {
    throw new FetchError('blocked', `scheme not allowed: ${url.protocol}`);
  }
  if (!trusted && (url.username || url.password)) {
    throw new FetchError('blocked', 'credentials in URL not allowed');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (guarded && isIP(host) && !isPublicAddress(host)) {
    throw new FetchError('blocked', `non-public address: ${url.protocol}//${url.host}`);
  }
  const agent = guarded ? agents.guardedHttps : url.protocol === 'https:' ? agents.https : agents.http;
  return httpGet(url, req, agent, req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS, extraHeaders);
}

export function createFetcher(options: FetcherOptions): ClosableFetcher {
  const common = { keepAlive: true, maxSockets: 32 };
  const agents: Agents = {
    http: new HttpAgent(common),
    https: new HttpsAgent(common),
    guardedHttps: new HttpsAgent({ ...common, lookup: createGuardedLookup() }),
  };

  const fetcher = async (req: FetchRequest): Promise<FetchResponse> => {
    const started = performance.now();
    let outcome = 'network';
    try {
      const { trace } = options;
      const res = await (trace ? trace(fetchTarget(req), (headers) => fetchOnce(req, options, agents, headers)) : fetchOnce(req, options, agents));
      outcome = res.status >= 200 && res.status < 300 ? 'ok' : 'http_error';
      return res;
    } catch (err) {
      const error = err instanceof FetchError ? err : new FetchError('network', 'fetch failed', { cause: err });
      outcome = error.reason;
      throw error;
    } finally {
      try {
        options.onResult?.(req.purpose, outcome, performance.now() - started);
      } catch {
        // metrics must never break a fetch
      }
    }
  };

  return Object.assign(fetcher, {
    close(): void {
      agents.http.destroy();
      agents.https.destroy();
      agents.guardedHttps.destroy();
    },
  });
}
