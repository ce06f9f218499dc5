import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { didKeyToKeyObject, keyObjectToDidKey } from '@dome-verifier/did-key';
import { loadP256PrivateKey, privateKeyToHex } from '../keys.ts';
import { answerAuthorizationRequest, walletKid, type WalletOptions } from './answer.ts';
import { fetchRequestObject } from './request-object.ts';
import { parseOpenId4VpUrl } from './parse-url.ts';
import { WalletError } from './wallet-error.ts';
import { startFakeVerifier, type FakeVerifier, type IssueOptions } from './fake-verifier.ts';

const NOW_MS = Date.parse('2026-03-01T10:00:00Z');
const NOW_S = NOW_MS / 1000;
const now = (): number => NOW_MS;

let verifier: FakeVerifier;
let holderKey: KeyObject;
let holderDid: string;
let vcJwt: string;
const VC_ID = '8c7a6213-544d-450d-8e3d-b41fa9009198';

before(async () => {
  verifier = await startFakeVerifier({ nowSeconds: () => NOW_S });
  holderKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  holderDid = keyObjectToDidKey(holderKey);
  const issuerKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  vcJwt = await new SignJWT({ sub: holderDid, jti: VC_ID, vc: { id: VC_ID, type: ['LEARCredentialEmployee', 'VerifiableCredential'] } })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .sign(issuerKey);
});

after(() => verifier.close());

beforeEach(() => {
  verifier.posts.length = 0;
  verifier.gets.length = 0;
  verifier.reply.status = 200;
  verifier.reply.body = '';
  delete verifier.reply.contentType;
});

function options(extra: Partial<WalletOptions> = {}): WalletOptions {
  return { key: holderKey, credential: vcJwt, now, ...extra };
}

async function refused(issue: IssueOptions, code: string, reason: string | undefined, message?: RegExp): Promise<void> {
  const { url } = await verifier.issue(issue);
  const postsBefore = verifier.posts.length;
  await assert.rejects(answerAuthorizationRequest(url, options()), (e: unknown) => {
    assert.ok(e instanceof WalletError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.reason, reason, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
  assert.equal(verifier.posts.length, postsBefore, 'nothing is posted to a refused verifier');
}

test('happy path: GET request_uri, VP JWT like the DOME wallet, direct_post form', async () => {
  verifier.reply.body = '';
  const issued = await verifier.issue();
  const r = await answerAuthorizationRequest(issued.url, options());
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  assert.deepEqual(r.requestObject.claims, issued.claims);
  assert.equal(r.requestObject.header.kid, verifier.did);

  // GET with the wallet's Accept header
  assert.equal(verifier.gets.length, 1);
  assert.equal(verifier.gets[0]?.headers.accept, 'application/oauth-authz-req+jwt, application/jwt');

  // form
  assert.equal(verifier.posts.length, 1);
  const post = verifier.posts[0]!;
  assert.equal(post.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual([...post.form.keys()], ['state', 'vp_token', 'presentation_submission']);
  assert.equal(post.form.get('state'), issued.claims.state);
  const vpToken = post.form.get('vp_token') ?? '';
  assert.match(vpToken, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
  assert.equal(vpToken, Buffer.from(r.vpJwt).toString('base64url'));
  const vpJwt = Buffer.from(vpToken, 'base64url').toString('utf8');
  assert.equal(vpJwt, r.vpJwt);

  // VP header and payload
  const msid = holderDid.slice('did:key:'.length);
  assert.deepEqual(decodeProtectedHeader(vpJwt), { alg: 'ES256', typ: 'JWT', kid: `${holderDid}#${msid}` });
  assert.equal(walletKid(holderDid), `${holderDid}#${msid}`);
  const { payload } = await jwtVerify(vpJwt, didKeyToKeyObject(holderDid), { algorithms: ['ES256'], currentDate: new Date(NOW_MS) });
  assert.equal(payload.iss, holderDid);
  assert.equal(payload.sub, holderDid);
  assert.equal(payload.aud, 'https://self-issued.me/v2');
  assert.equal(payload.nonce, issued.claims.nonce);
  assert.equal(payload.iat, NOW_S);
  assert.equal(payload.nbf, NOW_S);
  assert.equal(payload.exp, NOW_S + 180);
  assert.match(String(payload.jti), /^urn:uuid:[0-9a-f-]{36}$/);
  assert.deepEqual(payload.vp, {
    '@context': ['https://www.w3.org/2018/credentials/v1'],
    holder: holderDid,
    id: payload.jti,
    type: ['VerifiablePresentation'],
    verifiableCredential: [vcJwt],
  });

  // presentation_submission as the DOME wallet sends it
  assert.deepEqual(JSON.parse(post.form.get('presentation_submission') ?? ''), {
    id: 'CustomerPresentationSubmission',
    definition_id: 'CustomerPresentationDefinition',
    descriptor_map: [{ format: 'jwt_vp', path: '$', id: payload.jti, path_nested: { format: 'jwt_vc', path: '$.verifiableCredential[0]', id: VC_ID } }],
  });
});

test('verifier error answers are returned, not thrown (status + body)', async () => {
  verifier.reply.status = 401;
  verifier.reply.body = '{"title":"Invalid VP Token","message":"VP Token used in H2M flow is invalid","path":""}';
  const { url } = await verifier.issue();
  const r = await answerAuthorizationRequest(url, options());
  assert.equal(r.status, 401);
  assert.match(r.body, /Invalid VP Token/);
  assert.equal(verifier.posts.length, 1);
});

test('request object content types: text/plain, application/oauth-authz-req+jwt and application/jwt accepted; JSON refused', async () => {
  for (const contentType of ['text/plain;charset=UTF-8', 'application/oauth-authz-req+jwt', 'application/jwt; charset=utf-8']) {
    const { url } = await verifier.issue({ contentType });
    assert.equal((await answerAuthorizationRequest(url, options())).status, 200, contentType);
  }
  await refused({ contentType: 'application/json' }, 'request_object_fetch', undefined, /content type "application\/json"/);
});

test('request_uri answering 404 (one-shot, already used) is request_object_fetch with the status', async () => {
  const { url } = await verifier.issue();
  await answerAuthorizationRequest(url, options());
  await assert.rejects(answerAuthorizationRequest(url, options()), (e: unknown) => {
    assert.ok(e instanceof WalletError);
    assert.equal(e.code, 'request_object_fetch');
    assert.equal(e.status, 404);
    return true;
  });
});

test('the wallet refuses header typ other than exactly oauth-authz-req+jwt', async () => {
  await refused({ header: { typ: 'JWT' } }, 'request_object_invalid', 'typ', /typ/);
  await refused({ header: { typ: 'application/oauth-authz-req+jwt' } }, 'request_object_invalid', 'typ');
  await refused({ header: { typ: undefined } }, 'request_object_invalid', 'typ');
});

test('the wallet refuses a kid with a #fragment, a kid that is not a did:key, and a non-P-256 did:key', async () => {
  await refused({ header: { kid: `${verifier.did}#${verifier.did.slice(8)}` } }, 'request_object_invalid', 'kid', /fragment/);
  await refused({ header: { kid: 'verifier-key' } }, 'request_object_invalid', 'kid');
  await refused({ header: { kid: undefined } }, 'request_object_invalid', 'kid');
  await refused({ header: { kid: 'did:web:verifier.example' } }, 'request_object_invalid', 'kid');
  // Ed25519 did:key (multicodec 0xed)
  await refused({ header: { kid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' } }, 'request_object_invalid', 'kid', /P-256/);
});

test('the wallet refuses client_id ≠ iss and a URL client_id ≠ request object client_id', async () => {
  await refused({ claims: { iss: 'did:key:zDnaeOther' } }, 'request_object_invalid', 'client_id', /client_id must equal iss/);
  await refused({ claims: { client_id: undefined } }, 'request_object_invalid', 'client_id');
  const other = keyObjectToDidKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
  await refused({ urlClientId: other }, 'request_object_invalid', 'client_id_mismatch');
});

test('the wallet refuses a bad signature (signed by a key other than the kid did:key), and a non-ES256 algorithm', async () => {
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  await refused({ signWith: otherKey }, 'request_object_invalid', 'signature');
  // tampered payload, original signature
  const { url, jwt } = await verifier.issue();
  const [h, , s] = jwt.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(jwt), nonce: 'forged' })).toString('base64url')}.${s}`;
  const { url: url2 } = await verifier.issue({ body: forged });
  await assert.rejects(answerAuthorizationRequest(url2, options()), (e: unknown) => e instanceof WalletError && e.reason === 'signature');
  await answerAuthorizationRequest(url, options()); // the genuine one is fine
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
  await refused({ header: { alg: 'ES384' }, signWith: p384 }, 'request_object_invalid', 'signature', /ES256/);
});

test('the wallet refuses an expired request object', async () => {
  await refused({ claims: { iat: NOW_S - 7200, exp: NOW_S - 10 } }, 'request_object_invalid', 'exp', /expired/);
});

test('the wallet refuses wrong response_mode / response_type, a non-http response_uri, missing nonce/state, another scope', async () => {
  await refused({ claims: { response_mode: 'direct_post.jwt' } }, 'request_object_invalid', 'response_mode');
  await refused({ claims: { response_mode: undefined } }, 'request_object_invalid', 'response_mode');
  await refused({ claims: { response_type: 'id_token' } }, 'request_object_invalid', 'response_type');
  await refused({ claims: { response_uri: 'javascript:alert(1)' } }, 'request_object_invalid', 'response_uri');
  await refused({ claims: { response_uri: undefined } }, 'request_object_invalid', 'response_uri');
  await refused({ claims: { nonce: undefined } }, 'request_object_invalid', 'nonce', /nonce/);
  await refused({ claims: { nonce: '' } }, 'request_object_invalid', 'nonce');
  await refused({ claims: { state: undefined } }, 'request_object_invalid', 'state');
  await refused({ claims: { scope: 'openid learcredential' } }, 'request_object_invalid', 'scope');
});

test('a body that is not a JWT is request_object_invalid (jwt)', async () => {
  await refused({ body: 'hello' }, 'request_object_invalid', 'jwt');
  await refused({ body: 'a.b.c' }, 'request_object_invalid', 'jwt');
});

test('tamper hooks change what is posted', async () => {
  const a = await verifier.issue();
  await answerAuthorizationRequest(a.url, options({ tamper: { nonce: 'replayed-nonce', audience: 'https://evil.example', state: 'other-state' } }));
  let post = verifier.posts.at(-1)!;
  assert.equal(post.form.get('state'), 'other-state');
  let vp = decodeJwt(Buffer.from(post.form.get('vp_token') ?? '', 'base64url').toString('utf8'));
  assert.equal(vp.nonce, 'replayed-nonce');
  assert.equal(vp.aud, 'https://evil.example');

  const b = await verifier.issue();
  const rb = await answerAuthorizationRequest(b.url, options({ tamper: { omitNonce: true }, audience: b.claims.client_id as string }));
  post = verifier.posts.at(-1)!;
  vp = decodeJwt(Buffer.from(post.form.get('vp_token') ?? '', 'base64url').toString('utf8'));
  assert.equal('nonce' in vp, false);
  assert.equal(vp.aud, verifier.did, 'options.audience sets the VP aud');
  assert.equal(post.form.get('state'), b.claims.state);
  assert.equal(decodeJwt(rb.vpJwt).aud, verifier.did);

  const c = await verifier.issue();
  const rc = await answerAuthorizationRequest(c.url, options({ tamper: { vpToken: 'not-a-vp' } }));
  assert.equal(verifier.posts.at(-1)?.form.get('vp_token'), 'not-a-vp');
  assert.equal(decodeJwt(rc.vpJwt).nonce, c.claims.nonce, 'vpJwt is still returned');
});

test('holder key forms: JWK text, hex scalar, loaded key, extractable CryptoKey; base64 credential', async () => {
  const jwkText = JSON.stringify(holderKey.export({ format: 'jwk' }));
  const keys: WalletOptions['key'][] = [jwkText, privateKeyToHex(holderKey), loadP256PrivateKey(holderKey)];
  const pair = await generateKeyPair('ES256', { extractable: true });
  for (const key of keys) {
    const { url } = await verifier.issue();
    const r = await answerAuthorizationRequest(url, options({ key, credential: Buffer.from(vcJwt).toString('base64') }));
    assert.equal(decodeJwt(r.vpJwt).iss, holderDid);
    assert.deepEqual(decodeJwt(r.vpJwt).vp, { ...(decodeJwt(r.vpJwt).vp as object), verifiableCredential: [vcJwt] });
  }
  const { url } = await verifier.issue();
  const r = await answerAuthorizationRequest(url, options({ key: pair.privateKey }));
  const cryptoDid = keyObjectToDidKey(loadP256PrivateKey(await exportJWK(pair.privateKey) as Record<string, unknown>).privateKey);
  assert.equal(decodeJwt(r.vpJwt).iss, cryptoDid);
  await jwtVerify(r.vpJwt, pair.publicKey, { currentDate: new Date(NOW_MS) });
});

test('a bad key or credential fails before the one-shot request object is fetched', async () => {
  const issued = await verifier.issue();
  await assert.rejects(answerAuthorizationRequest(issued.url, options({ key: 'nonsense' })), (e: unknown) => e instanceof WalletError && e.code === 'bad_key');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  await assert.rejects(answerAuthorizationRequest(issued.url, options({ key: rsa })), (e: unknown) => e instanceof WalletError && e.code === 'bad_key');
  await assert.rejects(answerAuthorizationRequest(issued.url, options({ credential: 'not a credential' })), (e: unknown) => e instanceof WalletError && e.code === 'bad_credential');
  assert.equal(verifier.gets.length, 0);
  assert.equal((await answerAuthorizationRequest(issued.url, options())).status, 200);
});

test('fetchRequestObject alone: returns header, claims and jwt; honours an injected fetch', async () => {
  const issued = await verifier.issue();
  const seen: string[] = [];
  const ro = await fetchRequestObject(parseOpenId4VpUrl(issued.url), {
    now,
    fetch: (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    },
  });
  assert.deepEqual(seen, [issued.requestUri]);
  assert.equal(ro.jwt, issued.jwt);
  assert.deepEqual(ro.header, { kid: verifier.did, typ: 'oauth-authz-req+jwt', alg: 'ES256' });
  assert.equal(ro.claims.client_id, verifier.did);
});

test('a network failure on GET is request_object_fetch; on POST response_post', async () => {
  await assert.rejects(
    fetchRequestObject({ clientId: verifier.did, requestUri: 'http://127.0.0.1:9/oid4vp/auth-request/x' }, { now }),
    (e: unknown) => e instanceof WalletError && e.code === 'request_object_fetch',
  );
  const { url } = await verifier.issue({ claims: { response_uri: 'http://127.0.0.1:9/oid4vp/auth-response' } });
  await assert.rejects(answerAuthorizationRequest(url, options()), (e: unknown) => e instanceof WalletError && e.code === 'response_post');
});
