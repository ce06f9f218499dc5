/**
 * Admission at headers time, before any body is read: a full work queue answers 503
 * ERR_SERVER_BUSY with `Connection: close` without reading the body; a client address over its
 * rate is answered 429 (ERR_RATE_LIMITED) with Retry-After; after the cheap form parse and
 * before any signature check, a client id over its rate is answered 429 too. Nothing is stored
 * or issued for a refused request, other addresses and clients are unaffected, and an
 * X-Forwarded-For from an untrusted peer does not change the address. Real sockets on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createWorkQueue, type WorkQueue } from '@dome-verifier/server';
import { createWorld, machineClientEntry, newMachine, type World } from '../support/world.ts';
import { fetchJson } from '../support/expect.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const post = (w: World, path: string, body: string | URLSearchParams, headers: Record<string, string> = {}) =>
  fetchJson(`${w.issuer}${path}`, { method: 'POST', headers: { ...FORM, ...headers }, body: body.toString() });

const issued = async (w: World) => Number(/^verifier_tokens_issued_total\{grant_type="client_credentials"\} (\d+)$/m.exec((await w.app.inject({ url: '/metrics' })).body)?.[1] ?? 0);
const metric = async (w: World, re: RegExp) => Number(re.exec((await w.app.inject({ url: '/metrics' })).body)?.[1] ?? 0);

describe('a full work queue refuses at headers time', () => {
  let w: World;
  let queue: WorkQueue;
  const drains: Array<() => void> = [];
  before(async () => {
    queue = createWorkQueue({ maxDepth: 1, schedule: (drain) => void drains.push(drain) });
    w = await createWorld({ listen: true, workQueue: queue });
  });
  after(() => w.close());

  test('a token request that finds the queue full is answered 503 temporarily_unavailable with Retry-After and Connection: close before its body is sent, and the connection is closed; /health still answers', async () => {
    const blocker = post(w, '/oidc/token', (await w.tokenRequest()).body);
    for (let i = 0; i < 1000 && queue.depth < 1; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(queue.depth, 1);
    const stored = w.storeSize();

    // Headers announcing a 17 KB body, and no body at all: a server that reads the body first
    // never answers (requestTimeoutMs is 15 s in this world).
    const s = connect({ host: '127.0.0.1', port: Number(new URL(w.issuer).port) });
    let data = '';
    s.setEncoding('utf8').on('data', (d: string) => (data += d));
    s.on('error', () => undefined);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.write(`POST /oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17000\r\n\r\n`);
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer and not closed within 5 s: ${JSON.stringify(data)}`)), 5000))]);
    const [head = '', body = ''] = data.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 503 /);
    assert.match(head, /\r\nretry-after: 5\r\n/i);
    assert.match(head, /\r\nconnection: close\r\n/i);
    assert.equal((JSON.parse(body) as { error: string }).error, 'temporarily_unavailable');
    assert.equal(w.storeSize(), stored, 'nothing stored for the refused request');

    assert.equal((await fetch(`${w.issuer}/health`)).status, 200, 'the health check does not wait for the queue');
    drains.splice(0).forEach((d) => d());
    assert.equal((await blocker).status, 200);
  });

  test('a wallet response that finds the queue full is refused the same way, with the CORS header the wallet needs', async () => {
    const blocker = post(w, '/oidc/token', (await w.tokenRequest()).body);
    for (let i = 0; i < 1000 && queue.depth < 1; i++) await new Promise((r) => setTimeout(r, 5));
    const res = await post(w, '/oid4vp/auth-response', 'state=abc&vp_token=x');
    assert.equal(res.status, 503);
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('connection'), 'close');
    drains.splice(0).forEach((d) => d());
    assert.equal((await blocker).status, 200);
  });
});

describe('rate limit per client address', () => {
  let w: World;
  before(async () => {
    w = await createWorld({
      listen: true,
      env: { SERVER_RATELIMIT_ENABLED: 'true', SERVER_RATELIMIT_PERIPPERSECOND: '1', SERVER_RATELIMIT_PERIPBURST: '2', SERVER_TRUST_PROXY: 'loopback' },
    });
  });
  after(() => w.close());

  test('past its burst an address is answered 429 temporarily_unavailable with Retry-After, nothing stored or issued; another address is unaffected', async () => {
    const me = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 2; i++) assert.equal((await post(w, '/oidc/token', (await w.tokenRequest()).body, me)).status, 200);
    const stored = w.storeSize();
    const before = await issued(w);
    const res = await post(w, '/oidc/token', (await w.tokenRequest()).body, me);
    assert.equal(res.status, 429);
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After in whole seconds');
    assert.equal(res.headers.get('connection'), 'close', 'the unread body is not drained: the connection is closed');
    assert.equal(w.storeSize(), stored, 'nothing stored');
    assert.equal(await issued(w), before, 'nothing issued');
    assert.equal((await post(w, '/oidc/token', (await w.tokenRequest()).body, { 'x-forwarded-for': '203.0.113.8' })).status, 200, 'another address has its own budget');
    assert.equal((await fetch(`${w.issuer}/health`, { headers: me })).status, 200, 'health checks are never rate limited');
    assert.equal(await metric(w, /^verifier_rate_limited_total\{scope="ip"\} (\d+)$/m), 1);
  });
});

describe('rate limit per client address behind an untrusted peer', () => {
  let w: World;
  before(async () => {
    w = await createWorld({
      listen: true,
      env: { SERVER_RATELIMIT_ENABLED: 'true', SERVER_RATELIMIT_PERIPPERSECOND: '1', SERVER_RATELIMIT_PERIPBURST: '2', SERVER_TRUST_PROXY: '10.0.0.1' },
    });
  });
  after(() => w.close());

  test('an X-Forwarded-For sent by a peer that is not a trusted proxy does not evade the limit', async () => {
    const spoof = (n: number) => ({ 'x-forwarded-for': `198.51.100.${n}` });
    assert.equal((await post(w, '/oidc/token', (await w.tokenRequest()).body, spoof(1))).status, 200);
    assert.equal((await post(w, '/oidc/token', (await w.tokenRequest()).body, spoof(2))).status, 200);
    const stored = w.storeSize();
    const res = await post(w, '/oidc/token', (await w.tokenRequest()).body, spoof(3));
    assert.equal(res.status, 429);
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.equal(w.storeSize(), stored);
  });
});

describe('rate limit per client', () => {
  let w: World;
  const other = newMachine();
  before(async () => {
    w = await createWorld({
      listen: true,
      clients: [machineClientEntry(other.did)],
      env: { SERVER_RATELIMIT_ENABLED: 'true', SERVER_RATELIMIT_PERCLIENTPERSECOND: '1', SERVER_RATELIMIT_PERCLIENTBURST: '2' },
    });
  });
  after(() => w.close());

  test('past its burst a client id is answered 429 temporarily_unavailable with Retry-After before its assertion is verified, nothing stored or issued; another client is unaffected', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await post(w, '/oidc/token', (await w.tokenRequest()).body)).status, 200);
    const stored = w.storeSize();
    const before = await issued(w);
    const validationFailures = await metric(w, /^verifier_validation_failures_total\{[^}]*\} (\d+)$/m);
    const res = await post(w, '/oidc/token', (await w.tokenRequest()).body);
    assert.equal(res.status, 429);
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.equal(w.storeSize(), stored, 'nothing stored (its jti was not consumed)');
    assert.equal(await issued(w), before);
    assert.equal(await metric(w, /^verifier_validation_failures_total\{[^}]*\} (\d+)$/m), validationFailures, 'no validation step ran');
    assert.equal((await post(w, '/oidc/token', (await w.tokenRequest({ holder: other })).body)).status, 200, 'another client has its own budget');
    assert.equal(await metric(w, /^verifier_rate_limited_total\{scope="client"\} (\d+)$/m), 1);
  });

  test('the client is identified by the assertion issuer when client_id is absent', async () => {
    const { body } = await w.tokenRequest();
    body.delete('client_id');
    const res = await post(w, '/oidc/token', body);
    assert.equal(res.status, 429, JSON.stringify(res.json));
  });
});

describe('admission counts a request from its headers to its answer', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ listen: true, env: { SERVER_MAX_QUEUED_REQUESTS: '1', SERVER_HEADERS_TIMEOUT_MS: '1000', SERVER_REQUEST_TIMEOUT_MS: '1000' } });
  });
  after(() => w.close());

  test('a request still sending its body holds its place: the next one is refused at headers time with 503, and once the slow one is cut off the place is free again', async () => {
    const slow = connect({ host: '127.0.0.1', port: Number(new URL(w.issuer).port) });
    slow.on('error', () => undefined).resume();
    const slowClosed = new Promise<void>((r) => slow.once('close', () => r()));
    slow.write(`POST /oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17000\r\n\r\ngrant_type=`);
    await new Promise((r) => setTimeout(r, 200));
    const refused = await post(w, '/oidc/token', (await w.tokenRequest()).body);
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error, 'temporarily_unavailable');
    await Promise.race([slowClosed, new Promise((_, reject) => setTimeout(() => reject(new Error('the slow request was not cut off')), 10_000))]);
    const ok = await post(w, '/oidc/token', (await w.tokenRequest()).body);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
  });
});
