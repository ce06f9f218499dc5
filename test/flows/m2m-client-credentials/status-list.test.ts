/**
 * credentialStatus (BitstringStatusListEntry, MSB-first; IN2 PlainListEntity): a set bit
 * revokes, an unset bit passes, a list signed by another issuer or too short is invalid, and an
 * unreachable list fails closed with 503 — never open. Status lists are fetched through the
 * SSRF guard (here `allowInsecure` lets it reach the loopback test server).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { signJws } from '@dome-verifier/core';
import { x5cOf } from '@dome-verifier/dev-issuer';
import { createWorld, ISSUER_DID, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';

describe('credential status lists', () => {
  let w: World;
  let server: Server;
  let base = '';
  let statusListJwt = '';
  let otherIssuerJwt = '';
  let down = false;
  let fetches = 0;

  function encodedList(revokedIndexes: number[], bytes = 16_384): string {
    const bits = Buffer.alloc(bytes);
    for (const i of revokedIndexes) bits[i >> 3]! |= 0x80 >> (i & 7);
    return `u${gzipSync(bits).toString('base64url')}`;
  }

  before(async () => {
    w = await createWorld({ env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true' } });
    const p = w.pki;
    const listClaims = (issuer: string) => ({
      iss: issuer,
      issuer,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: encodedList([7, 42]) },
    });
    statusListJwt = signJws({ alg: 'RS256', typ: 'vc+jwt', x5c: x5cOf(p.seal, p.intermediate) }, listClaims(ISSUER_DID), p.seal.privateKey);
    otherIssuerJwt = signJws({ alg: 'RS256', typ: 'vc+jwt', x5c: x5cOf(p.otherSeal, p.intermediate) }, listClaims('did:elsi:VATES-X9999999'), p.otherSeal.privateKey);
    server = createServer((req, res) => {
      fetches++;
      if (down) return void res.writeHead(503).end();
      if (req.url === '/status/1') return void res.writeHead(200, { 'content-type': 'application/vc+jwt' }).end(statusListJwt);
      if (req.url === '/status/other') return void res.writeHead(200, { 'content-type': 'application/vc+jwt' }).end(otherIssuerJwt);
      if (req.url === '/plain') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ nonce: '5' }]));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await w.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const entry = (index: number | string, list = '/status/1', extra: Record<string, unknown> = {}) => ({
    id: `${base}${list}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: `${base}${list}`,
    ...extra,
  });
  const tokenWith = async (credentialStatus: object) => w.post((await w.tokenRequest({ credential: w.issue({ credentialStatus }) })).body);

  test('row 25: a credential whose status bit is set (MSB-first) is refused as revoked', async () => {
    await expectRejected(w, tokenWith(entry(42)), 401, 'invalid_client', /credential is revoked/);
    await expectRejected(w, tokenWith(entry(7)), 401, 'invalid_client', /credential is revoked/);
  });

  test('a credential whose status bit is clear is accepted, and the list is fetched once per TTL', async () => {
    const before = fetches;
    for (const i of [0, 1, 6, 8, 41, 43]) assert.equal((await tokenWith(entry(i))).status, 200, `index ${i}`);
    assert.ok(fetches - before <= 1, 'cached');
  });

  test('an index beyond the end of the list is refused', async () => {
    await expectRejected(w, tokenWith(entry(16_384 * 8)), 401, 'invalid_client', /beyond the end/);
  });

  test('a status list issued by another issuer than the credential is refused', async () => {
    await expectRejected(w, tokenWith(entry(1, '/status/other')), 401, 'invalid_client', /another issuer/);
  });

  test('a status purpose that differs from the list is refused', async () => {
    await expectRejected(w, tokenWith(entry(1, '/status/1', { statusPurpose: 'suspension' })), 401, 'invalid_client', /purpose differs/);
  });

  test('row 25: an unreachable status list fails closed with 503', async () => {
    w.clock.advance(301_000);
    down = true;
    try {
      await expectRejected(w, tokenWith(entry(1)), 503, 'temporarily_unavailable', /status list is unavailable/);
    } finally {
      down = false;
    }
  });

  test('the IN2 PlainListEntity list revokes the listed index', async () => {
    const plain = { id: 'x', type: 'PlainListEntity', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: `${base}/plain` };
    await expectRejected(w, tokenWith(plain), 401, 'invalid_client', /credential is revoked/);
    assert.equal((await tokenWith({ ...plain, statusListIndex: '6' })).status, 200);
  });
});
