import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedTokenVc, createCredentialCache, type CachedCredential } from './credential-cache.ts';

const entry = (sub: string): CachedCredential => ({
  jws: { header: { alg: 'RS256' }, payload: { sub }, signature: Buffer.alloc(0), signingInput: '' },
  signature: { notBefore: 0, notAfter: Number.MAX_SAFE_INTEGER },
});

test('the identical JWT finds its entry, also when the string is a new copy', () => {
  const cache = createCredentialCache();
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';
  const e = entry('a');
  cache.set(jwt, e);
  assert.equal(cache.get(JSON.parse(JSON.stringify(jwt)) as string), e);
});

test('a JWT with the same signature segment but another header or payload is a miss, never the cached verdict', () => {
  const cache = createCredentialCache();
  cache.set('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl', entry('a'));
  assert.equal(cache.get('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiIn0.c2lnbmF0dXJl'), undefined, 'payload swapped under a cached signature');
  assert.equal(cache.get('eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl'), undefined, 'header swapped under a cached signature');
  assert.equal(cache.get('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJm'), undefined, 'another signature');
});

test('cached header and payload are deep-frozen: one request cannot alter what the next one sees', () => {
  const cache = createCredentialCache();
  const e = entry('a');
  cache.set('x.y.z', e);
  assert.ok(Object.isFrozen(e.jws.payload));
  assert.throws(() => {
    (e.jws.payload as Record<string, unknown>).sub = 'b';
  }, TypeError);
});

test('the cache is bounded: the oldest entry is evicted beyond maxEntries', () => {
  const cache = createCredentialCache(2);
  cache.set('h.p.s1', entry('1'));
  cache.set('h.p.s2', entry('2'));
  cache.set('h.p.s3', entry('3'));
  assert.equal(cache.get('h.p.s1'), undefined);
  assert.ok(cache.get('h.p.s2'));
  assert.ok(cache.get('h.p.s3'));
});

test('the token vc of a cached credential is made once, deep-frozen, and serialized once with it', () => {
  const e = entry('a');
  let made = 0;
  const make = () => {
    made++;
    return { b: { c: [1] }, a: 'x' };
  };
  const first = cachedTokenVc(e, make);
  const second = cachedTokenVc(e, make);
  assert.equal(made, 1);
  assert.equal(second.tokenVc, first.tokenVc);
  assert.equal(first.tokenVcJson, JSON.stringify(first.tokenVc));
  assert.ok(Object.isFrozen(first.tokenVc) && Object.isFrozen(first.tokenVc.b) && Object.isFrozen((first.tokenVc.b as { c: unknown[] }).c));
});
