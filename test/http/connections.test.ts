/**
 * Every connection a client can make us hold is bounded: slow headers and dripped bodies are cut
 * at `server.headersTimeoutMs` / `server.requestTimeoutMs`, idle keep-alive connections at
 * `server.keepAliveTimeoutMs`, and the public port holds at most `server.maxConnections`
 * (`server.maxConnectionsPerAddress` per peer). The management port answers health and metrics
 * while the public port is full. Real sockets on 127.0.0.1; bounds are generous (a hang would be
 * 30 s or forever).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildManagementApp, createMetrics } from '@dome-verifier/server';
import { createWorld, type World } from '../support/world.ts';

interface RawSocket {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the ms from connect to close. */
  closed: Promise<number>;
  isClosed(): boolean;
  /** Resolves once connected (rejects on error). */
  connected: Promise<void>;
}

function rawSocket(port: number, localAddress = '127.0.0.1'): RawSocket {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  const t0 = performance.now();
  let data = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (data += d));
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => data,
    isClosed: () => closed,
    connected: new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }),
    closed: new Promise((resolve) =>
      socket.once('close', () => {
        closed = true;
        resolve(performance.now() - t0);
      }),
    ),
  };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref())]);

const portOf = (w: World) => Number(new URL(w.issuer).port);

/** Waits until the server has seen every earlier socket close (so caps start from zero). */
async function noConnections(w: World): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const n = await new Promise<number>((resolve, reject) => w.app.server.getConnections((e, c) => (e ? reject(e) : resolve(c))));
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('earlier connections are still open');
}
const GET_HEALTH = (host: string) => `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

/** One request over the socket; resolves with the status line once the response headers are in. */
async function statusOver(s: RawSocket, request: string, timeoutMs = 5000): Promise<string> {
  const before = s.received().length;
  s.socket.write(request);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const fresh = s.received().slice(before);
    if (fresh.includes('\r\n\r\n')) return fresh.split('\r\n')[0]!;
    if (s.isClosed()) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no response (received ${JSON.stringify(s.received().slice(before, before + 80))})`);
}

describe('timeouts', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ listen: true, env: { SERVER_HEADERS_TIMEOUT_MS: '1000', SERVER_REQUEST_TIMEOUT_MS: '1000', SERVER_KEEP_ALIVE_TIMEOUT_MS: '1000' } });
  });
  after(() => w.close());

  test('a socket that sends the headers of a token request and then drips its body is answered 408 and closed within server.requestTimeoutMs; nothing is stored', async () => {
    const stored = w.storeSize();
    const s = rawSocket(portOf(w));
    await s.connected;
    s.socket.write(`POST /oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17000\r\n\r\ngrant_type=`);
    const drip = setInterval(() => !s.isClosed() && s.socket.write('a'), 200);
    try {
      const ms = await within(s.closed, 10_000, 'the dripping socket was not closed');
      assert.ok(ms < 10_000);
      assert.match(s.received(), /^HTTP\/1\.1 408 /);
      assert.match(s.received(), /"error":"invalid_request"/);
    } finally {
      clearInterval(drip);
      s.socket.destroy();
    }
    assert.equal(w.storeSize(), stored);
  });

  test('a socket that sends half its headers and stops is closed within server.headersTimeoutMs', async () => {
    const s = rawSocket(portOf(w));
    await s.connected;
    s.socket.write('POST /oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty');
    await within(s.closed, 10_000, 'the socket with half its headers was not closed');
  });

  test('an idle keep-alive connection is closed after server.keepAliveTimeoutMs', async () => {
    const s = rawSocket(portOf(w));
    await s.connected;
    assert.match(await statusOver(s, GET_HEALTH('127.0.0.1')), / 200 /);
    await within(s.closed, 10_000, 'the idle keep-alive socket was not closed');
  });
});

describe('connection caps', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ listen: true, env: { SERVER_MAX_CONNECTIONS: '3', SERVER_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
  });
  after(() => w.close());

  test('past server.maxConnectionsPerAddress a new connection from that peer is closed at once, while its open connections and other peers keep working', async () => {
    await noConnections(w);
    const a = rawSocket(portOf(w));
    const b = rawSocket(portOf(w));
    await Promise.all([a.connected, b.connected]);
    assert.match(await statusOver(a, GET_HEALTH('x')), / 200 /);
    const c = rawSocket(portOf(w));
    await within(c.closed, 5000, 'the third connection from 127.0.0.1 was not closed');
    assert.equal(c.received(), '', 'the refused connection got no response');
    const other = rawSocket(portOf(w), '127.0.0.2');
    try {
      assert.match(await statusOver(other, GET_HEALTH('x')), / 200 /);
      assert.match(await statusOver(b, GET_HEALTH('x')), / 200 /);
    } finally {
      for (const s of [a, b, other]) s.socket.destroy();
    }
  });

  test('past server.maxConnections a new connection is closed at once, while the open ones keep working', async () => {
    await noConnections(w);
    const open = [rawSocket(portOf(w)), rawSocket(portOf(w), '127.0.0.2'), rawSocket(portOf(w), '127.0.0.3')];
    await Promise.all(open.map((s) => s.connected));
    for (const s of open) assert.match(await statusOver(s, GET_HEALTH('x')), / 200 /);
    const extra = rawSocket(portOf(w), '127.0.0.4');
    try {
      await within(extra.closed, 5000, 'the connection past the cap was not closed');
      assert.equal(extra.received(), '');
      for (const s of open) assert.match(await statusOver(s, GET_HEALTH('x')), / 200 /);
    } finally {
      for (const s of open) s.socket.destroy();
      extra.socket.destroy();
    }
  });
});

describe('management port', () => {
  let w: World;
  let mgmt: FastifyInstance;
  before(async () => {
    w = await createWorld({ listen: true, env: { SERVER_MAX_CONNECTIONS: '2' } });
    mgmt = await buildManagementApp(w.runtime, { metrics: createMetrics() });
    await mgmt.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await mgmt.close();
    await w.close();
  });

  test('the management port answers /health and /metrics while the public port is at its connection cap, and serves nothing else', async () => {
    const hog = [rawSocket(portOf(w)), rawSocket(portOf(w), '127.0.0.2')];
    await Promise.all(hog.map((s) => s.connected));
    for (const s of hog) assert.match(await statusOver(s, GET_HEALTH('x')), / 200 /);
    const refused = rawSocket(portOf(w), '127.0.0.3');
    try {
      await within(refused.closed, 5000, 'the public port accepted a connection past its cap');
      const base = `http://127.0.0.1:${(mgmt.server.address() as AddressInfo).port}`;
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'UP');
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /verifier_http_requests_total/);
      const token = await fetch(`${base}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      assert.equal(token.status, 404);
    } finally {
      for (const s of hog) s.socket.destroy();
    }
  });
});
