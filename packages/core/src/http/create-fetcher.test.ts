import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FetchError, type FetchErrorReason } from '../ports/fetcher.ts';
import type { LookupAddress } from 'node:dns';
import { createFetcher, createGuardedLookup, isPublicAddress } from './create-fetcher.ts';

// Every server in this file listens on 127.0.0.1:0. No traffic is ever sent anywhere else:
// all SSRF cases must be refused before a connection is attempted.

interface TestServer {
  base: string;
  port: number;
  requests: number;
  connections: number;
  lastHeaders?: IncomingHttpHeaders;
  lastMethod?: string;
}

const servers: Server[] = [];
const tcpServers: TcpServer[] = [];
const sockets = new Set<Socket>();

async function startServer(handler: RequestListener): Promise<TestServer> {
  const state: TestServer = { base: '', port: 0, requests: 0, connections: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    state.lastHeaders = req.headers;
    state.lastMethod = req.method;
    res.on('error', () => {});
    handler(req, res);
  });
  server.on('connection', () => state.connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.base = `http://127.0.0.1:${state.port}`;
  return state;
}

/** Raw TCP server, for responses that an HTTP server would not produce (dribbled status line). */
async function startTcpServer(onSocket: (s: Socket) => void): Promise<number> {
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  tcpServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const results: Array<[string, string]> = [];
const strict = createFetcher({ allowInsecure: false, onResult: (p, o) => results.push([p, o]) });
const insecure = createFetcher({ allowInsecure: true });
const timers = new Set<NodeJS.Timeout>();

after(() => {
  strict.close();
  insecure.close();
  for (const t of timers) clearInterval(t);
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  for (const s of sockets) s.destroy();
  for (const s of tcpServers) s.close();
});

async function rejectsWith(promise: Promise<unknown>, reason: FetchErrorReason): Promise<FetchError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FetchError, `expected FetchError, got ${String(err)}`);
    assert.equal(err.reason, reason, `expected '${reason}', got '${err.reason}': ${err.message}`);
    return err;
  }
  assert.fail(`expected rejection with '${reason}'`);
}

describe('isPublicAddress', () => {
  const table: Array<[string, boolean]> = [
    // public
    ['8.8.8.8', true], ['1.1.1.1', true], ['93.184.216.34', true], ['172.32.0.1', true], ['100.128.0.1', true],
    ['2606:4700:4700::1111', true], ['2a00:1450:4001:80b::200e', true], ['::ffff:8.8.8.8', true],
    ['64:ff9b::808:808', true],
    // IPv4 special-purpose
    ['127.0.0.1', false], ['127.255.255.254', false], ['0.0.0.0', false], ['0.1.2.3', false],
    ['10.0.0.1', false], ['172.16.0.1', false], ['172.31.255.255', false], ['192.168.1.1', false],
    ['169.254.169.254', false], ['100.64.0.1', false], ['100.127.255.255', false], ['192.0.0.8', false],
    ['192.0.2.1', false], ['198.18.0.1', false], ['198.19.255.255', false], ['198.51.100.7', false],
    ['203.0.113.9', false], ['224.0.0.1', false], ['239.255.255.250', false], ['240.0.0.1', false],
    ['255.255.255.255', false],
    // IPv6 special-purpose
    ['::', false], ['::1', false], ['fc00::1', false], ['fd12:3456::1', false], ['fe80::1', false],
    ['fe80::1%eth0', false], ['ff02::1', false], ['2001:db8::1', false], ['::127.0.0.1', false],
    // IPv4-mapped and NAT64 judged by the embedded IPv4 address
    ['::ffff:127.0.0.1', false], ['::ffff:7f00:1', false], ['::ffff:169.254.169.254', false],
    ['::ffff:a9fe:a9fe', false], ['::ffff:10.0.0.1', false], ['[::ffff:192.168.0.1]', false],
    ['64:ff9b::127.0.0.1', false], ['64:ff9b::a00:1', false],
    // not an address
    ['localhost', false], ['', false], ['999.1.1.1', false],
  ];
  for (const [ip, expected] of table) {
    test(`classifies ${ip || '(empty)'} as ${expected ? 'public' : 'non-public'}`, () => {
      assert.equal(isPublicAddress(ip), expected);
    });
  }
});

describe('guarded lookup (connect-time address check, no traffic)', () => {
  /** Runs the guarded lookup against a fake resolver that answers `answer`; nothing connects. */
  function run(answer: LookupAddress[] | Error, all: boolean): Promise<{ err: Error | null; address: unknown; family?: number }> {
    const lookup = createGuardedLookup((_host, options, cb) => {
      assert.equal(options.all, true, 'every address must be resolved and checked');
      if (answer instanceof Error) cb(answer, []);
      else cb(null, answer);
    });
    return new Promise((resolve) =>
      lookup('rebind.example', { all }, (err, address, family) => resolve({ err, address, ...(family === undefined ? {} : { family }) })),
    );
  }
  const pub = { address: '93.184.216.34', family: 4 };

  test('passes a host whose addresses are all public (single and all forms)', async () => {
    assert.deepEqual(await run([pub], false), { err: null, address: pub.address, family: 4 });
    assert.deepEqual(await run([pub, { address: '2606:4700::1', family: 6 }], true), {
      err: null,
      address: [pub, { address: '2606:4700::1', family: 6 }],
    });
  });

  test('refuses a host if any resolved address is non-public (rebinding with mixed answers)', async () => {
    for (const bad of ['10.0.0.1', '127.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', 'fd00::1']) {
      const { err } = await run([pub, { address: bad, family: bad.includes(':') ? 6 : 4 }], false);
      assert.match(err?.message ?? '', /non-public/, bad);
    }
    assert.match((await run([], true)).err?.message ?? '', /non-public/);
  });

  test('passes resolver errors through', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    assert.equal((await run(failure, false)).err, failure);
  });
});

describe('untrusted URL policy (rejected before any connection)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer((_req, res) => res.end('{}'));
  });
  after(() => assert.equal(srv.connections, 0, 'no SSRF case may reach the server'));

  for (const url of [
    'file:///etc/passwd', 'gopher://127.0.0.1:70/_x', 'data:application/json,{}', 'ftp://example.com/x',
    'javascript:alert(1)', 'ws://example.com/',
  ]) {
    test(`rejects an untrusted URL with a non-https scheme: ${url.split(':')[0]}`, async () => {
      await rejectsWith(strict({ url, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    });
  }

  test('rejects an untrusted http URL even to a public host', async () => {
    await rejectsWith(strict({ url: 'http://169.254.169.254/latest/meta-data/', purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
  });

  test('rejects an untrusted URL with userinfo', async () => {
    await rejectsWith(strict({ url: 'https://a@example.com/', purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    await rejectsWith(insecure({ url: `http://user:pw@127.0.0.1:${srv.port}/`, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
  });

  for (const host of [
    '127.0.0.1', '2130706433', '0x7f.1', '0x7f000001', '0177.0.0.1', '127.1', '[::1]', '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]', '10.0.0.1', '169.254.169.254', '0.0.0.0', '[::]', '[fe80::1]', '[64:ff9b::7f00:1]',
  ]) {
    test(`rejects an untrusted URL whose IP literal is non-public: ${host}`, async () => {
      await rejectsWith(strict({ url: `https://${host}:${srv.port}/`, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    });
  }

  test('rejects an untrusted URL that resolves to a loopback address (checked at connect time)', async () => {
    const err = await rejectsWith(strict({ url: `https://localhost:${srv.port}/jwks`, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    assert.match(err.message, /non-public/);
  });

  test('reports an untrusted host that does not resolve as a network error', async () => {
    await rejectsWith(strict({ url: 'https://metadata.invalid/x', purpose: 'untrusted', maxBytes: 1000 }), 'network');
  });

  test('rejects a local path or file: URL for untrusted purpose even with allowInsecure', async () => {
    await rejectsWith(insecure({ url: '/etc/hostname', purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    await rejectsWith(insecure({ url: 'file:///etc/hostname', purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    await rejectsWith(strict({ url: './data/x.json', purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
  });

  test('rejects a malformed URL with bad_url', async () => {
    await rejectsWith(strict({ url: 'https://exa mple.com/', purpose: 'untrusted', maxBytes: 1000 }), 'bad_url');
    await rejectsWith(strict({ url: '', purpose: 'operator', maxBytes: 1000 }), 'bad_url');
  });

  test('does not echo the query string in error messages', async () => {
    const err = await rejectsWith(strict({ url: `http://127.0.0.1:${srv.port}/x?secret=hunter2`, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    assert.doesNotMatch(err.message, /hunter2|secret/);
    const err2 = await rejectsWith(strict({ url: `https://10.0.0.1/x?secret=hunter2`, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    assert.doesNotMatch(err2.message, /hunter2|secret/);
  });
});

describe('HTTP exchange', () => {
  test('blocks untrusted http://127.0.0.1 without allowInsecure and allows it with allowInsecure', async () => {
    const srv = await startServer((_req, res) => res.end('{"ok":true}'));
    await rejectsWith(strict({ url: `${srv.base}/`, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    assert.equal(srv.connections, 0);
    const res = await insecure({ url: `${srv.base}/`, purpose: 'untrusted', maxBytes: 1000 });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), '{"ok":true}');
  });

  test('allows operator http to 127.0.0.1 and sends GET with Accept and User-Agent, no cookies', async () => {
    const srv = await startServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('[1]');
    });
    const res = await strict({ url: `${srv.base}/v4/issuers/did:elsi:X`, purpose: 'operator', maxBytes: 1000 });
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'application/json');
    assert.deepEqual(JSON.parse(res.body.toString()), [1]);
    assert.equal(srv.lastMethod, 'GET');
    assert.equal(srv.lastHeaders?.accept, 'application/json');
    assert.equal(srv.lastHeaders?.['user-agent'], 'dome-verifier');
    assert.equal(srv.lastHeaders?.cookie, undefined);

    await strict({ url: `${srv.base}/`, purpose: 'operator', maxBytes: 1000, accept: 'application/jwk-set+json' });
    assert.equal(srv.lastHeaders?.accept, 'application/jwk-set+json');
  });

  test('resolves any HTTP status instead of rejecting', async () => {
    const srv = await startServer((_req, res) => {
      res.statusCode = 404;
      res.end('nope');
    });
    const res = await strict({ url: srv.base, purpose: 'operator', maxBytes: 1000 });
    assert.equal(res.status, 404);
    assert.equal(res.body.toString(), 'nope');
  });

  test('does not follow a 302 redirect (exactly one request reaches the server)', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    const res = await insecure({ url: `${srv.base}/start`, purpose: 'untrusted', maxBytes: 1000 });
    assert.equal(res.status, 302);
    assert.equal(srv.requests, 1);
  });

  test('parses Cache-Control max-age into maxAgeSeconds', async () => {
    let header = 'public, max-age=300';
    const srv = await startServer((_req, res) => {
      res.setHeader('cache-control', header);
      res.end('{}');
    });
    assert.equal((await strict({ url: srv.base, purpose: 'operator', maxBytes: 100 })).maxAgeSeconds, 300);
    header = 's-maxage=10';
    assert.equal((await strict({ url: srv.base, purpose: 'operator', maxBytes: 100 })).maxAgeSeconds, undefined);
    header = 'no-cache';
    assert.equal((await strict({ url: srv.base, purpose: 'operator', maxBytes: 100 })).maxAgeSeconds, undefined);
  });

  test('aborts a streamed body (10 MB) as soon as it exceeds maxBytes with too_large', async () => {
    const srv = await startServer((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 10 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const started = Date.now();
    await rejectsWith(strict({ url: srv.base, purpose: 'operator', maxBytes: 100_000, timeoutMs: 5000 }), 'too_large');
    assert.ok(Date.now() - started < 2000);
  });

  test('rejects a Content-Length over maxBytes before reading the body', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.flushHeaders(); // body never sent: only the header can trigger the rejection
    });
    const started = Date.now();
    await rejectsWith(strict({ url: srv.base, purpose: 'operator', maxBytes: 1000, timeoutMs: 3000 }), 'too_large');
    assert.ok(Date.now() - started < 1500);
  });

  test('cuts a slowloris body (headers, then 1 byte every 200 ms) at the deadline', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('x')), 200);
      timers.add(t);
    });
    const started = Date.now();
    const err = await rejectsWith(strict({ url: `${srv.base}/slow?token=abc`, purpose: 'operator', maxBytes: 1000, timeoutMs: 300 }), 'timeout');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 280 && elapsed < 1000, `elapsed ${elapsed} ms`);
    assert.doesNotMatch(err.message, /token=abc/);
  });

  test('cuts a server that dribbles its status line and headers at the deadline', async () => {
    const port = await startTcpServer((s) => {
      const text = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n';
      let i = 0;
      const t = setInterval(() => (i < text.length && !s.destroyed ? s.write(text[i++] ?? '') : clearInterval(t)), 50);
      timers.add(t);
    });
    const started = Date.now();
    await rejectsWith(strict({ url: `http://127.0.0.1:${port}/`, purpose: 'operator', maxBytes: 1000, timeoutMs: 300 }), 'timeout');
    assert.ok(Date.now() - started < 1000);
  });

  test('times out against a server that never answers (fetcher default timeout)', async () => {
    const srv = await startServer(() => {});
    const quick = createFetcher({ allowInsecure: false, timeoutMs: 300 });
    try {
      const started = Date.now();
      await rejectsWith(quick({ url: srv.base, purpose: 'operator', maxBytes: 1000 }), 'timeout');
      assert.ok(Date.now() - started < 1000);
    } finally {
      quick.close();
    }
  });

  test('reports a refused connection as a network error', async () => {
    const port = await startTcpServer(() => {});
    await new Promise<void>((resolve) => tcpServers.pop()?.close(() => resolve()));
    await rejectsWith(strict({ url: `http://127.0.0.1:${port}/`, purpose: 'operator', maxBytes: 1000 }), 'network');
  });

  test('calls onResult once per fetch with the outcome', async () => {
    const srv = await startServer((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('{}');
    });
    results.length = 0;
    await strict({ url: `${srv.base}/`, purpose: 'operator', maxBytes: 100 });
    await strict({ url: `${srv.base}/missing`, purpose: 'operator', maxBytes: 100 });
    await strict({ url: 'gopher://x/', purpose: 'untrusted', maxBytes: 100 }).catch(() => {});
    assert.deepEqual(results, [['operator', 'ok'], ['operator', 'http_error'], ['untrusted', 'blocked']]);
  });
});

describe('operator local files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fetcher-test-'));
    await mkdir(join(dir, 'til'));
    await writeFile(join(dir, 'til', 'did:elsi:VATES-B60645900'), '{"did":"x"}');
    await writeFile(join(dir, 'services.yaml'), 'a: 1\n');
    await writeFile(join(dir, 'list.json'), '[]');
    await writeFile(join(dir, 'big.json'), Buffer.alloc(5000, 0x20));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('reads an absolute path with content type from the extension', async () => {
    const yaml = await strict({ url: join(dir, 'services.yaml'), purpose: 'operator', maxBytes: 1000 });
    assert.equal(yaml.status, 200);
    assert.equal(yaml.contentType, 'application/yaml');
    assert.equal(yaml.body.toString(), 'a: 1\n');
    const json = await strict({ url: join(dir, 'list.json'), purpose: 'operator', maxBytes: 1000 });
    assert.equal(json.contentType, 'application/json');
  });

  test('reads a caller-built path (directory base + DID with colons), relative or file: URL', async () => {
    const base = `${relative(process.cwd(), join(dir, 'til'))}/`;
    const rel = await strict({ url: `${base}did:elsi:VATES-B60645900`, purpose: 'operator', maxBytes: 1000 });
    assert.equal(rel.status, 200);
    assert.equal(rel.contentType, undefined);
    assert.equal(rel.body.toString(), '{"did":"x"}');
    const fileUrl = pathToFileURL(join(dir, 'list.json')).href;
    assert.equal((await strict({ url: fileUrl, purpose: 'operator', maxBytes: 1000 })).status, 200);
  });

  test('returns 404 (not a rejection) for a missing file or a directory', async () => {
    const missing = await strict({ url: join(dir, 'til', 'did:elsi:UNKNOWN'), purpose: 'operator', maxBytes: 1000 });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.length, 0);
    assert.equal((await strict({ url: join(dir, 'til') + '/', purpose: 'operator', maxBytes: 1000 })).status, 404);
  });

  test('applies the size cap to local files', async () => {
    await rejectsWith(strict({ url: join(dir, 'big.json'), purpose: 'operator', maxBytes: 1000 }), 'too_large');
    assert.equal((await strict({ url: join(dir, 'big.json'), purpose: 'operator', maxBytes: 5000 })).body.length, 5000);
  });

  test('blocks local files for untrusted purpose', async () => {
    await rejectsWith(strict({ url: join(dir, 'list.json'), purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
    await rejectsWith(strict({ url: pathToFileURL(join(dir, 'list.json')).href, purpose: 'untrusted', maxBytes: 1000 }), 'blocked');
  });
});

describe('the tracing port (options.trace)', () => {
  test('wraps each fetch with its purpose, scheme and host only (no path or query), and sends the headers it adds', async () => {
    const s = await startServer((_req, res) => res.end('{}'));
    const seen: unknown[] = [];
    const traced = createFetcher({
      allowInsecure: true,
      trace: (target, run) => {
        seen.push(target);
        return run({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
      },
    });
    try {
      const res = await traced({ url: `${s.base}/v4/issuers/did:elsi:X?secret=1`, purpose: 'untrusted', maxBytes: 100 });
      assert.equal(res.status, 200);
      assert.equal(s.lastHeaders?.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.deepEqual(seen, [{ purpose: 'untrusted', scheme: 'http', host: `127.0.0.1:${s.port}` }]);
      await assert.rejects(traced({ url: 'ftp://example.com/x', purpose: 'operator', maxBytes: 100 }), FetchError);
      assert.deepEqual(seen[1], { purpose: 'operator', scheme: 'ftp', host: 'example.com' });
    } finally {
      traced.close();
    }
  });

  test('without a trace port no traceparent is sent', async () => {
    const s = await startServer((_req, res) => res.end('{}'));
    await insecure({ url: `${s.base}/x`, purpose: 'untrusted', maxBytes: 100 });
    assert.equal(s.lastHeaders?.traceparent, undefined);
  });
});

describe('POST (operator registries: the Gaia-X trust-anchor chain check)', () => {
  test('sends the body with its content type and length, and reads the answer like a GET', async () => {
    let received = '';
    const srv = await startServer((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (c: string) => (received += c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    const res = await strict({ url: `${srv.base}/v2/api/trustAnchor/chain/file`, purpose: 'operator', maxBytes: 1024, method: 'POST', body: '{"uri":"https://x.example/chain.pem"}', contentType: 'application/json' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), '{"ok":true}');
    assert.equal(srv.lastMethod, 'POST');
    assert.equal(srv.lastHeaders?.['content-type'], 'application/json');
    assert.equal(srv.lastHeaders?.['content-length'], String(Buffer.byteLength('{"uri":"https://x.example/chain.pem"}')));
    assert.equal(received, '{"uri":"https://x.example/chain.pem"}');
  });

  test('a POST to a local file or an untrusted URL is refused before any I/O', async () => {
    await assert.rejects(strict({ url: '/etc/hostname', purpose: 'operator', maxBytes: 1024, method: 'POST', body: '{}' }), (e: unknown) => e instanceof FetchError && e.reason === 'blocked');
    await assert.rejects(insecure({ url: 'https://example.org/x', purpose: 'untrusted', maxBytes: 1024, method: 'POST', body: '{}' }), (e: unknown) => e instanceof FetchError && e.reason === 'blocked');
  });
});
