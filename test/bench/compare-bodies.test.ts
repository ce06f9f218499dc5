/**
 * The body pools of `npm run bench:compare` (bench/compare/bodies.ts): each pregenerated body is a
 * valid client assertion of its own (fresh jti), and a pool never hands out a body twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { bodySource } from '../../bench/compare/bodies.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const source = () =>
  bodySource({
    formPrefix: 'grant_type=client_credentials&client_assertion=',
    header: { alg: 'ES256', typ: 'JWT', kid: 'k' },
    // Lengths that leave the constant JSON at every remainder modulo 3 across the cases below.
    constantClaims: { iss: 'did:key:z1', sub: 'did:key:z1', aud: 'http://127.0.0.1:1', vp_token: 'QUJD'.repeat(100) },
    key: privateKey,
    lifetimeSeconds: 60,
    jtiPrefix: 'test',
  });

test('every pooled body is a client assertion whose signature verifies and whose payload parses whole', () => {
  for (const vp of ['A', 'AB', 'ABC']) {
    const s = bodySource({ formPrefix: 'x=', header: { alg: 'ES256' }, constantClaims: { iss: 'i', vp_token: vp }, key: privateKey, lifetimeSeconds: 60, jtiPrefix: 'p' });
    const pool = s.pool(3);
    const jtis = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const jws = pool.take().slice('x='.length);
      const [h, p, sig] = jws.split('.');
      assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url')));
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { iss: string; vp_token: string; jti: string; exp: number; iat: number };
      assert.equal(payload.vp_token, vp);
      assert.equal(payload.exp - payload.iat, 60);
      jtis.add(payload.jti);
    }
    assert.equal(jtis.size, 3);
  }
});

test('a pool hands out each body once and throws rather than reuse one', () => {
  const pool = source().pool(2);
  const a = pool.take();
  const b = pool.take();
  assert.notEqual(a, b);
  assert.equal(pool.taken, 2);
  assert.throws(() => pool.take(), /body pool exhausted after 2 bodies: a body would be reused/);
});

test('a vp_token source varies a fresh nonce (not a jti) in a VP JWT sent unencoded after its form prefix', () => {
  const s = bodySource({ formPrefix: 'grant_type=vp_token&scope=default&vp_token=', header: { alg: 'ES256', typ: 'JWT', kid: 'did:key:z1' }, constantClaims: { iss: 'did:key:z1', aud: 'http://127.0.0.1:1/services/s/token', vp: { holder: 'did:key:z1' } }, key: privateKey, lifetimeSeconds: 120, jtiPrefix: 'vp', uniqueClaim: 'nonce' });
  const pool = s.pool(2);
  const nonces = [pool.take(), pool.take()].map((body) => {
    const jws = body.slice('grant_type=vp_token&scope=default&vp_token='.length);
    const [h, p, sig] = jws.split('.');
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url')));
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(payload.jti, undefined);
    assert.equal((payload.exp as number) - (payload.iat as number), 120);
    assert.deepEqual(payload.vp, { holder: 'did:key:z1' });
    return payload.nonce;
  });
  assert.equal(new Set(nonces).size, 2);
  assert.ok(nonces.every((n) => typeof n === 'string' && n.startsWith('vp-')));
});
