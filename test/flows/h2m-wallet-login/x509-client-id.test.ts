/**
 * The IN2 V3 deployment shape, part 3: with an identity certificate
 * (`verifier.backend.identity.certificate`, leaf key = the identity key) the verifier identifies
 * itself to wallets as `x509_hash:<base64url SHA-256 of the leaf DER>` (OpenID4VP 1.0 §5.9.3)
 * and the request object carries the chain in its `x5c` header; the PWA (test/support/pwa-wallet.ts)
 * verifies it with `x5c[0]` and answers with `aud` = that client id, which logs in. Without the
 * certificate nothing changes (the other flow tests).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { createSealCertificate, issueSdJwtVc, trustedServiceEntry, type DevCertificate } from '@dome-verifier/dev-issuer';
import { createWorld, decodePart, ISSUER_DID, newMachine, ORG, pki, TYPES, type MachineClient, type World } from '../../support/world.ts';
import { browserRedirect, codeForm, startLogin, type StartedLogin } from '../../support/h2m.ts';
import { pwaAnswer, type PwaTamper } from '../../support/pwa-wallet.ts';
import { createLogger } from '../../../packages/server/src/logger.ts';

const CB = 'https://rp.example/callback';
const W3C = 'learcredential.employee.w3c.4';
const SD = 'learcredential.employee.sd.1';

const hexKey = (c: DevCertificate) => Buffer.from(String(c.privateKey.export({ format: 'jwk' }).d), 'base64url').toString('hex');

describe('x509_hash client id with an identity certificate (verifier.backend.identity.certificate)', () => {
  let w: World;
  let leaf: DevCertificate;
  let intermediate: DevCertificate;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  const lines: string[] = [];
  const expectedClientId = () => `x509_hash:${createHash('sha256').update(leaf.der).digest('base64url')}`;

  before(async () => {
    const p = await pki();
    intermediate = p.intermediate;
    leaf = await createSealCertificate(p.intermediate, { keyAlg: 'ES256', organizationIdentifier: 'VATES-Q0000000', organization: 'Verifier Operator S.L.', country: 'ES', commonName: 'verifier.test' });
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => void (lines.push(chunk.toString()), cb()) });
    w = await createWorld({
      logger: createLogger('info', sink),
      til: { [ISSUER_DID]: { types: [...TYPES, W3C, SD] } },
      clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })],
      env: { VERIFIER_BACKEND_IDENTITY_PRIVATEKEY: hexKey(leaf), VERIFIER_BACKEND_IDENTITY_CERTIFICATE: `${leaf.certificatePem}\n${p.intermediate.certificatePem}` },
    });
  });
  after(() => w.close());

  const start = () => startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: crypto.randomUUID(), nonce: 'rp-nonce' });
  const nowS = () => Math.floor(w.clock.now() / 1000);
  const mandatee = () => ({ id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' });
  const pwa = (login: StartedLogin, credential: string, tamper: PwaTamper = {}) =>
    pwaAnswer(login.authRequest, {
      get: async (url) => (await w.app.inject({ method: 'GET', url: new URL(url).pathname })).body,
      post: async (url, body, headers) => {
        const res = await w.app.inject({ method: 'POST', url: new URL(url).pathname, headers, payload: body });
        return { status: res.statusCode, body: res.body };
      },
      credentials: [{ credentialEncoded: credential }],
      keys: [user.privateKey],
      now: nowS,
      tamper,
    });
  const sdJwtVc = () =>
    issueSdJwtVc({ seal: w.pki.seal, chain: [w.pki.intermediate], organizationIdentifier: ORG, holderJwk: user.publicJwk, mandatee: mandatee(), validFrom: new Date(w.clock.now() - 3_600_000), validUntil: new Date(w.clock.now() + 86_400_000) }).sdJwt;

  async function tokens(login: StartedLogin) {
    const redirect = await browserRedirect(w, login);
    assert.ok(redirect, 'the browser is sent to the RP');
    const res = await w.post(codeForm(rp, new URL(redirect).searchParams.get('code')!, CB, w));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return decodePart(String(res.json.access_token));
  }

  test('the request object carries client_id = iss = x509_hash:<b64url SHA-256 of the leaf DER>, the chain in x5c, kid = JWK thumbprint, client_id_scheme x509_hash, and verifies with x5c[0]', async () => {
    const login = await start();
    assert.equal(new URL(login.authRequest.replace('openid4vp://', 'https://x/')).searchParams.get('client_id'), expectedClientId());
    const jws = (await w.app.inject({ method: 'GET', url: login.requestPath })).body;
    const header = decodeProtectedHeader(jws);
    assert.deepEqual(header.x5c, [leaf.x5c, intermediate.x5c]);
    assert.equal(header.typ, 'oauth-authz-req+jwt');
    assert.equal(header.kid, await calculateJwkThumbprint(leaf.privateKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string }));
    const claims = decodePart(jws);
    assert.equal(claims.client_id, expectedClientId());
    assert.equal(claims.iss, expectedClientId());
    assert.equal(claims.client_id_scheme, 'x509_hash', 'the PWA hash-checks x5c[0] only when client_id_scheme says x509_hash');
    await compactVerify(jws, await importX509(leaf.certificatePem, 'ES256'));
  });

  test('a PWA answer with a VCDM 2.0 JWT VC and VP aud = the x509_hash client id logs in', async () => {
    const login = await start();
    const res = await pwa(login, w.issue({ kind: 'employee', format: 'w3c-v2', mandatee: mandatee() }));
    assert.equal(res.status, 200, res.body);
    assert.equal((await tokens(login)).sub, user.did);
  });

  test('a PWA answer with an SD-JWT VC and KB-JWT aud = the x509_hash client id logs in', async () => {
    const login = await start();
    const res = await pwa(login, sdJwtVc());
    assert.equal(res.status, 200, res.body);
    assert.equal((await tokens(login)).sub, user.did);
  });

  test('a KB-JWT whose aud is the did:key (not the client id the request object named) is refused 400 invalid_request ERR_SD_JWT_KB_AUDIENCE, no code', async () => {
    const login = await start();
    lines.length = 0;
    const res = await pwa(login, sdJwtVc(), { aud: w.runtime.identity.did });
    assert.equal(res.status, 400, res.body);
    assert.equal((JSON.parse(res.body!) as { error: string }).error, 'invalid_request');
    assert.ok(lines.some((l) => (JSON.parse(l) as { code?: string }).code === 'ERR_SD_JWT_KB_AUDIENCE'), lines.join(''));
    assert.equal(await browserRedirect(w, login), undefined);
  });
});

describe('identity certificate configuration', () => {
  test('start-up fails when the leaf certificate key is not the identity key, the chain is not leaf first, or the value holds no certificate', async () => {
    const p = await pki();
    const leaf = await createSealCertificate(p.intermediate, { keyAlg: 'ES256', organizationIdentifier: 'VATES-Q0000000', organization: 'Op', country: 'ES' });
    const other = await createSealCertificate(p.intermediate, { keyAlg: 'ES256', organizationIdentifier: 'VATES-Q0000000', organization: 'Op', country: 'ES' });
    for (const [key, certificate, message] of [
      [hexKey(other), leaf.certificatePem, /verifier\.backend\.identity\.certificate: the leaf certificate's public key is not the identity key/],
      [hexKey(leaf), `${p.intermediate.certificatePem}\n${leaf.certificatePem}`, /verifier\.backend\.identity\.certificate: certificate 1 is not issued by certificate 2/],
      [hexKey(leaf), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', /verifier\.backend\.identity\.certificate/],
    ] as const) {
      await assert.rejects(createWorld({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATEKEY: key, VERIFIER_BACKEND_IDENTITY_CERTIFICATE: certificate } }), message);
    }
  });
});
