/**
 * Attack catalogue rows 1–15 (oauth-security.md §6.1) at the token endpoint: every hostile
 * JWT — as client assertion, as presentation, as credential — is refused with the exact OAuth
 * error, a 4xx, and no replay-store write.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createWorld, ISSUER, type World } from '../../support/world.ts';
import { assertionClaims, hmac, sign, tokenForm, unsigned } from '../../support/forge.ts';
import { expectRejected } from '../../support/expect.ts';

describe('JOSE-level attacks on the client assertion, the presentation and the credential', () => {
  let w: World;
  let vpJwt: string;
  before(async () => {
    w = await createWorld();
    vpJwt = (await w.tokenRequest()).vpJwt;
  });
  after(() => w.close());

  const claims = () => assertionClaims(w.machine.did, vpJwt, w.clock.now());
  const post = (assertion: string, extra?: Record<string, string>) => w.post(tokenForm(w.machine.did, assertion, extra));

  test('row 1: alg none in any casing, with or without a signature, is refused as client assertion', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      for (const sig of ['', 'AAAA']) {
        await expectRejected(w, post(unsigned({ alg, typ: 'JWT' }, claims(), sig)), 401, 'invalid_client', /alg "[nN][oO][nN][eE]" is not accepted|segments must not be empty/);
      }
    }
  });

  test('row 1: alg none is refused inside the presentation and the credential', async () => {
    const vpPayload = JSON.parse(Buffer.from(vpJwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const noneVp = unsigned({ alg: 'none' }, vpPayload, 'AAAA');
    const a = sign({ alg: 'ES256', kid: w.machine.did }, { ...claims(), vp_token: Buffer.from(noneVp).toString('base64') }, w.machine.privateKey);
    await expectRejected(w, post(a), 401, 'invalid_client', /presentation is not a valid JWT/);

    const vc = w.issue();
    const noneVc = unsigned({ alg: 'none' }, JSON.parse(Buffer.from(vc.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>, 'AAAA');
    const req = await w.tokenRequest({ credential: noneVc });
    await expectRejected(w, w.post(req.body), 401, 'invalid_client', /credential is not a valid JWT/);
  });

  test('row 2: HS256 signed with the public key as HMAC secret is refused', async () => {
    const pubPem = w.machine.privateKey.export({ format: 'pem', type: 'pkcs8' });
    const pubJwk = JSON.stringify(w.machine.publicJwk);
    for (const secret of [pubPem, pubJwk, w.machine.did]) {
      await expectRejected(w, post(hmac({ alg: 'HS256', kid: w.machine.did }, claims(), secret)), 401, 'invalid_client', /alg/);
    }
  });

  test('row 3: an allowed algorithm other than the client registered ES256 is refused', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectRejected(w, post(sign({ alg: 'RS256', kid: w.machine.did }, claims(), privateKey)), 401, 'invalid_client', /must be signed with ES256/);
    const { privateKey: ed } = generateKeyPairSync('ed25519');
    await expectRejected(w, post(sign({ alg: 'EdDSA', kid: w.machine.did }, claims(), ed)), 401, 'invalid_client', /must be signed with ES256/);
  });

  test('row 4: an embedded jwk of an attacker key is not a trust anchor', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    await expectRejected(w, post(sign({ alg: 'ES256', jwk }, claims(), privateKey)), 401, 'invalid_client', /embedded jwk is not the key of the client/);
  });

  test('row 5: jku and x5u headers are refused and never fetched', async () => {
    for (const h of [{ jku: 'http://127.0.0.1:9/jwks' }, { x5u: 'http://127.0.0.1:9/cert' }]) {
      await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did, ...h }, claims(), w.machine.privateKey)), 401, 'invalid_client', /not supported/);
    }
  });

  test('row 6: a credential whose x5c chain does not reach a trust anchor is refused', async () => {
    const rogue = w.issue({ seal: w.pki.rogueSeal, chain: [] });
    await expectRejected(w, w.post((await w.tokenRequest({ credential: rogue })).body), 401, 'invalid_client', /certificate chain is untrusted/);
    const selfSignedLeafOnly = w.issue({ seal: w.pki.rogueRoot, chain: [], organizationIdentifier: 'VATES-T0000001' });
    await expectRejected(w, w.post((await w.tokenRequest({ credential: selfSignedLeafOnly })).body), 401, 'invalid_client', /certificate chain is untrusted/);
  });

  test('row 7: kid injection values find no key and cause no lookup side effects', async () => {
    for (const kid of ['../../dev/null', "' OR 1=1 --", 'did:key:zDnaeAAAA', 'x'.repeat(10_000)]) {
      const res = await post(sign({ alg: 'ES256', kid }, claims(), w.machine.privateKey));
      assert.equal(res.status, 401, kid.slice(0, 20));
      assert.equal(res.json.error, 'invalid_client');
    }
  });

  test('row 8: a crit header with an unknown extension is refused', async () => {
    await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did, crit: ['exp'], exp: 1 }, claims(), w.machine.privateKey)), 401, 'invalid_client', /crit/);
    await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did, crit: ['urn:x:unknown'], 'urn:x:unknown': 1 }, claims(), w.machine.privateKey)), 401, 'invalid_client', /not understood/);
    await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did, crit: ['sigT'], sigT: '2025-01-01T00:00:00Z' }, claims(), w.machine.privateKey)), 401, 'invalid_client', /not understood/);
  });

  test('row 9: a JWT of another kind (access token typ at+jwt, request object) is refused as client assertion', async () => {
    for (const typ of ['at+jwt', 'oauth-authz-req+jwt', 'dpop+jwt', 'vc+jwt']) {
      await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did, typ }, claims(), w.machine.privateKey)), 401, 'invalid_client', /typ/);
    }
  });

  test('row 9: an access token issued by this verifier is refused as client assertion', async () => {
    const ok = await w.post((await w.tokenRequest()).body);
    await expectRejected(w, post(String(ok.json.access_token)), 401, 'invalid_client', /iss and sub must equal the client_id|client_id differs/);
  });

  test('row 10: a JWE where a JWS is expected is refused before any decryption', async () => {
    await expectRejected(w, post('eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00iLCJ6aXAiOiJERUYifQ.a.b.c.d'), 401, 'invalid_client', /JWE/);
  });

  test('row 11: malformed compact serialisations are refused', async () => {
    const good = sign({ alg: 'ES256', kid: w.machine.did }, claims(), w.machine.privateKey);
    const [h, p, s] = good.split('.') as [string, string, string];
    const cases = [
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s.slice(0, -2)}+/`,
      `${Buffer.from('null').toString('base64url')}.${p}.${s}`,
      `${h}.${Buffer.from('[1,2]').toString('base64url')}.${s}`,
      `${Buffer.from('{"alg":"ES256","alg":"none"}').toString('base64url')}.${p}.${s}`,
      `${h}.${Buffer.from('{"iss":"a","iss":"b"}').toString('base64url')}.${s}`,
      `..`,
      `${h}..${s}`,
    ];
    for (const c of cases) await expectRejected(w, post(c), 401, 'invalid_client', /client_assertion is invalid|client_assertion/);
  });

  test('row 12: zero, truncated and DER-encoded ECDSA signatures are refused', async () => {
    const good = sign({ alg: 'ES256', kid: w.machine.did }, claims(), w.machine.privateKey);
    const [h, p, s] = good.split('.') as [string, string, string];
    const raw = Buffer.from(s, 'base64url');
    const der = Buffer.concat([Buffer.from([0x30, 0x44, 0x02, 0x20]), raw.subarray(0, 32), Buffer.from([0x02, 0x20]), raw.subarray(32)]);
    const highS = Buffer.from(raw);
    highS[40] = highS[40]! ^ 0xff;
    for (const sig of [Buffer.alloc(64), Buffer.alloc(64, 0xff), raw.subarray(0, 63), der, highS]) {
      await expectRejected(w, post(`${h}.${p}.${sig.toString('base64url')}`), 401, 'invalid_client', /signature/);
    }
  });

  test('row 13: an oversized assertion gets 413 before parsing; a large header is refused', async () => {
    const res = await w.post(tokenForm(w.machine.did, 'a'.repeat(70_000)));
    assert.equal(res.status, 413);
    assert.equal(res.json.error, 'invalid_request');
    await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did, pad: 'x'.repeat(8_000) }, claims(), w.machine.privateKey)), 401, 'invalid_client', /header exceeds/);
  });

  test('row 14: a deeply nested credential subject is refused by the depth cap', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 1000; i++) deep = [deep];
    const vc = w.issue({ transform: ({ payload }) => ((payload.vc as { credentialSubject: Record<string, unknown> }).credentialSubject.deep = deep) });
    await expectRejected(w, w.post((await w.tokenRequest({ credential: vc })).body), 401, 'invalid_client', /nests deeper|exceeds/);
  });

  test('row 15: claims of the wrong type are refused', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ exp: String(Math.floor(w.clock.now() / 1000) + 60) }, /exp must be a NumericDate/],
      [{ aud: [123] }, /aud must be a string or an array of strings/],
      [{ iss: {} }, /iss must be a string|client_id differs/],
      [{ jti: 1 }, /jti must be a non-empty string/],
      [{ iat: 'now' }, /iat must be a NumericDate/],
      [{ vp_token: 42 }, /vp_token must be a string/],
    ];
    for (const [extra, re] of cases) {
      await expectRejected(w, post(sign({ alg: 'ES256', kid: w.machine.did }, { ...claims(), ...extra }, w.machine.privateKey)), 401, 'invalid_client', re);
    }
  });

  test('a valid assertion built by hand is accepted (the forge helpers themselves are sound)', async () => {
    const res = await post(sign({ alg: 'ES256', kid: w.machine.did, typ: 'JWT' }, claims(), w.machine.privateKey));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(ISSUER, 'https://verifier.test');
  });
});
