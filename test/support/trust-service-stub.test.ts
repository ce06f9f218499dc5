import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createTrustServiceStub, KEYLESS_BODY, type TrustServiceStub } from './trust-service-stub.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** ms from the request to the first body byte (or the end, for an empty body). */
  firstByteMs: number;
}

/** A plain GET with a deadline; rejects with 'timeout' when the stub does not answer in time. */
function get(url: string, timeoutMs = 3000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs: number | undefined;
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        firstByteMs ??= performance.now() - started;
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), firstByteMs: firstByteMs ?? performance.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function withStub(fn: (s: TrustServiceStub) => Promise<void>) {
  const s = await createTrustServiceStub();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

test('the stub listens on loopback, serves the document per path and answers 404 for unknown paths', () =>
  withStub(async (s) => {
    assert.match(s.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    s.serve('/revoked.yaml', { body: 'revoked_credentials: []\n', contentType: 'application/yaml' });
    const a = await get(s.url('/revoked.yaml'));
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'application/yaml');
    assert.equal(a.body.toString(), 'revoked_credentials: []\n');
    assert.equal((await get(s.url('/nope'))).status, 404);
  }));

test('modes switch per path at run time; a prefix key covers every path under it; the longest key wins', () =>
  withStub(async (s) => {
    s.serve('/v4/issuers/did:elsi:A', '{"did":"did:elsi:A","attributes":[]}');
    s.serve('/tsl.yaml', 'clients: []\n');
    s.setMode('/v4/issuers/', '500');
    assert.equal((await get(s.url('/v4/issuers/did:elsi:A'))).status, 500);
    assert.equal((await get(s.url('/tsl.yaml'))).status, 200, 'other paths are unaffected');
    s.setMode('/', '503');
    s.setMode('/v4/issuers/did:elsi:A', 'ok', { slowMs: 1 }); // explicit ok beats both prefixes
    assert.equal((await get(s.url('/v4/issuers/did:elsi:A'))).status, 200);
    assert.equal((await get(s.url('/tsl.yaml'))).status, 503);
    s.setMode('/', 'ok');
    assert.equal((await get(s.url('/tsl.yaml'))).status, 200);
  }));

test('429 carries Retry-After; empty, keyless, garbage and deep answer 200 with the announced body', () =>
  withStub(async (s) => {
    s.setMode('/a', '429', { retryAfterSeconds: 7 });
    const r = await get(s.url('/a'));
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '7');

    s.setMode('/a', 'empty');
    const e = await get(s.url('/a'));
    assert.deepEqual([e.status, e.body.length], [200, 0]);

    s.setMode('/a', 'keyless');
    const k = await get(s.url('/a'));
    assert.deepEqual([k.status, k.body.toString()], [200, KEYLESS_BODY]);

    s.setMode('/a', 'garbage');
    const g = await get(s.url('/a'));
    assert.equal(g.status, 200);
    assert.ok(g.body.length > 0);

    s.setMode('/a', 'deep', { deepBytes: 200 * 1024 });
    const d = await get(s.url('/a'));
    assert.equal(d.status, 200);
    assert.equal(d.body.length, 200 * 1024);
    assert.match(d.body.toString(), /^\[{102400}\]{102400}$/);
  }));

test('huge streams a body of the configured size', () =>
  withStub(async (s) => {
    s.setMode('/big', 'huge', { hugeBytes: 3 * 1024 * 1024 + 5 });
    const h = await get(s.url('/big'));
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 3 * 1024 * 1024 + 5);
  }));

test('hang never answers; slow answers after its delay; drip sends the body a few bytes at a time', () =>
  withStub(async (s) => {
    s.serve('/doc', 'revoked_credentials: []\n');
    s.setMode('/doc', 'hang');
    await assert.rejects(get(s.url('/doc'), 300), /timeout/);

    s.setMode('/doc', 'slow', { slowMs: 250 });
    const slow = await get(s.url('/doc'));
    assert.equal(slow.body.toString(), 'revoked_credentials: []\n');
    assert.ok(slow.firstByteMs >= 200, `answered after ${slow.firstByteMs} ms`);

    s.setMode('/doc', 'drip', { dripBytes: 8, dripIntervalMs: 20 });
    const drip = await get(s.url('/doc'));
    assert.equal(drip.status, 200);
    assert.equal(drip.body.toString(), 'revoked_credentials: []\n', 'the whole body arrives in the end');
  }));

test('requests are counted per path, per prefix and in total, and can be reset', () =>
  withStub(async (s) => {
    s.setMode('/', 'empty');
    await get(s.url('/v4/issuers/did:elsi:A'));
    await get(s.url('/v4/issuers/did:elsi:B'));
    await get(s.url('/revoked.yaml'));
    s.setMode('/revoked.yaml', 'hang');
    await assert.rejects(get(s.url('/revoked.yaml'), 200), /timeout/);
    assert.equal(s.requests('/v4/issuers/'), 2);
    assert.equal(s.requests('/v4/issuers/did:elsi:A'), 1);
    assert.equal(s.requests('/revoked.yaml'), 2, 'a hung request is counted when it arrives');
    assert.equal(s.requests(), 4);
    s.resetCounts();
    assert.equal(s.requests(), 0);
  }));

test('close() ends hung and dripping connections instead of waiting for them', () =>
  withStub(async (s) => {
    s.serve('/drip', 'x'.repeat(1000));
    s.setMode('/hang', 'hang');
    s.setMode('/drip', 'drip', { dripBytes: 1, dripIntervalMs: 1000 });
    const hung = get(s.url('/hang'), 60_000).then(() => 'answered', (e: Error) => e.message);
    const dripping = get(s.url('/drip'), 60_000).then(() => 'answered', (e: Error) => e.message);
    while (s.requests() < 2) await new Promise((r) => setTimeout(r, 10));
    const started = performance.now();
    await s.close();
    assert.notEqual(await hung, 'answered');
    assert.notEqual(await dripping, 'answered');
    assert.ok(performance.now() - started < 5000, 'close() did not wait for the held sockets');
  }));
