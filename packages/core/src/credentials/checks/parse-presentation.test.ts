import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateP256, type P256KeyPair } from '@dome-verifier/dev-issuer';
import { signJws } from '../../jose/jws.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { PresentationContext, PresentationDeps } from '../context.ts';
import { credentialObject, MAX_VC_LENGTH, MAX_VP_LENGTH, parsePresentation } from './parse-presentation.ts';
import { createCredentialCache } from '../credential-cache.ts';
import {
  issueVc, loadTestPki, NOW, ORG, presentationContext, presentationDeps, testPki, UNEXPECTED_REVOCATION, verifierError,
} from './test-fixtures.ts';

let holder: P256KeyPair;
let vcJwt: string;

before(async () => {
  await loadTestPki();
  holder = generateP256();
  vcJwt = issueVc({ mandatee: { id: holder.did } });
});

/** No parse step may touch a dependency: every one throws. */
const DEPS: PresentationDeps = presentationDeps({ revocation: UNEXPECTED_REVOCATION });

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const ctxFor = (vpJwt: string, deps: PresentationDeps = DEPS): PresentationContext => presentationContext({}, deps, { vpJwt });

function vp(vpClaim: unknown, extra: Record<string, unknown> = {}): string {
  return signJws({ alg: 'ES256', typ: 'JWT', kid: holder.did }, { iss: holder.did, sub: holder.did, vp: vpClaim, ...extra }, holder.privateKey);
}
const vpWith = (...credentials: unknown[]) => vp({ '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], holder: holder.did, verifiableCredential: credentials });

function rejects(vpJwt: string, code: ErrorCode, message: string | RegExp): void {
  assert.throws(() => parsePresentation.run(ctxFor(vpJwt)), verifierError(code, message));
}

describe('parsePresentation', () => {
  test('is named parse-presentation', () => {
    assert.equal(parsePresentation.name, 'parse-presentation');
  });

  test('decodes the VP JWT and its first credential into state, without verifying anything', () => {
    const token = vpWith(vcJwt);
    const ctx = ctxFor(token);
    parsePresentation.run(ctx);
    assert.equal(ctx.state.vp?.header.kid, holder.did);
    assert.equal(ctx.state.vp?.payload.iss, holder.did);
    assert.equal(ctx.state.vc?.header.alg, 'ES256');
    assert.deepEqual(ctx.state.vc?.header.crit, ['sigT']);
    assert.equal(ctx.state.vc?.payload.iss, `did:elsi:${ORG}`);
    assert.equal(ctx.state.credential, undefined);
  });

  test('reads only the first credential; later entries are ignored even when malformed', () => {
    const ctx = ctxFor(vpWith(vcJwt, 'garbage', { not: 'a jwt' }));
    parsePresentation.run(ctx);
    assert.equal(ctx.state.vc?.signingInput, vcJwt.slice(0, vcJwt.lastIndexOf('.')));
  });

  test('does not check signatures: a VP with a garbage signature still parses', () => {
    const [h, p] = vpWith(vcJwt).split('.');
    parsePresentation.run(ctxFor(`${h}.${p}.AAAA`));
  });

  test('accepts a credential whose x5c header is longer than the 2 KiB JWS default', () => {
    const { intermediate, root } = testPki();
    const big = issueVc({ chain: [intermediate, root], mandatee: { id: holder.did }, validFrom: new Date(NOW - 1000), validUntil: new Date(NOW + 1000) });
    assert.ok(big.indexOf('.') > 2048, 'fixture header must exceed 2048 characters');
    const ctx = ctxFor(vpWith(big));
    parsePresentation.run(ctx);
    assert.equal(ctx.state.vc?.header.x5c?.length, 3);
  });

  test('refuses a VP that is not a compact JWS, with the JWS reason in the message', () => {
    rejects('not-a-jwt', 'ERR_VP_MALFORMED', 'the presentation is not a valid JWT: JWS must have three segments');
    rejects('', 'ERR_VP_MALFORMED', 'the presentation is not a valid JWT: JWS must be a non-empty string');
    rejects(`${b64u({ alg: 'none' })}.${b64u({ vp: {} })}.`, 'ERR_VP_MALFORMED', /^the presentation is not a valid JWT: JWS segments must not be empty$/);
    rejects(`${b64u({ alg: 'HS256' })}.${b64u({ vp: {} })}.c2ln`, 'ERR_VP_MALFORMED', 'the presentation is not a valid JWT: JWS alg "HS256" is not accepted');
  });

  test('refuses a VP JWT longer than 48 KiB', () => {
    assert.equal(MAX_VP_LENGTH, 48 * 1024);
    const huge = vp({ verifiableCredential: [vcJwt] }, { pad: 'x'.repeat(MAX_VP_LENGTH) });
    rejects(huge, 'ERR_VP_MALFORMED', `the presentation is not a valid JWT: JWS exceeds ${MAX_VP_LENGTH} characters`);
  });

  test('refuses a VP without a vp object', () => {
    rejects(signJws({ alg: 'ES256' }, { iss: holder.did }, holder.privateKey), 'ERR_VP_MALFORMED', 'the presentation has no vp object');
    rejects(vp('a string'), 'ERR_VP_MALFORMED', 'the presentation has no vp object');
    rejects(vp([vcJwt]), 'ERR_VP_MALFORMED', 'the presentation has no vp object');
  });

  test('refuses a vp without a non-empty verifiableCredential array', () => {
    for (const verifiableCredential of [undefined, [], vcJwt, { 0: vcJwt }]) {
      rejects(vp({ verifiableCredential }), 'ERR_VP_MALFORMED', 'vp.verifiableCredential must be a non-empty array');
    }
  });

  test('refuses a first credential that is not a string (e.g. an embedded JSON-LD credential)', () => {
    for (const first of [{ type: ['LEARCredentialMachine'] }, null, 42, [vcJwt]]) {
      rejects(vpWith(first, vcJwt), 'ERR_VP_MALFORMED', 'the first credential of the presentation must be a compact JWT');
    }
  });

  test('refuses a first credential that is not a compact JWS, as a credential failure', () => {
    rejects(vpWith('abc'), 'ERR_VC_MALFORMED', 'the credential is not a valid JWT: JWS must have three segments');
    rejects(vpWith(`${vcJwt}.x.y`), 'ERR_VC_MALFORMED', 'the credential is not a valid JWT: encrypted JWTs (JWE) are not accepted here');
    const [h, , s] = vcJwt.split('.');
    rejects(vpWith(`${h}.${b64u('[1]')}.${s}`), 'ERR_VC_MALFORMED', 'the credential is not a valid JWT: JWS payload is not a JSON object');
  });

  test('refuses a credential JWT longer than 32 KiB', () => {
    assert.equal(MAX_VC_LENGTH, 32 * 1024);
    const [h, , s] = vcJwt.split('.');
    const long = `${h}.${b64u({ vc: { pad: 'x'.repeat(Math.ceil((MAX_VC_LENGTH * 3) / 4)) } })}.${s}`;
    assert.ok(long.length > MAX_VC_LENGTH && long.length < MAX_VC_LENGTH + 4096, 'the VP must stay under its own cap');
    rejects(vpWith(long), 'ERR_VC_MALFORMED', `the credential is not a valid JWT: JWS exceeds ${MAX_VC_LENGTH} characters`);
  });

  test('keeps the JoseError as the cause', () => {
    try {
      parsePresentation.run(ctxFor('x'));
      assert.fail('expected a failure');
    } catch (e) {
      assert.ok(e instanceof VerifierError);
      assert.equal((e.cause as { code?: string }).code, 'ERR_JWS_MALFORMED');
    }
  });
});

describe('parsePresentation with a verified-credential cache', () => {
  test('without a cache configured, no cache entry is attached', () => {
    const ctx = ctxFor(vpWith(vcJwt));
    parsePresentation.run(ctx);
    assert.equal(ctx.state.vcCache, undefined);
  });

  test('caches the decoded credential by its JWT text and reuses it for the next presentation', () => {
    const deps = { ...DEPS, credentials: createCredentialCache() };
    const first = ctxFor(vpWith(vcJwt), deps);
    parsePresentation.run(first);
    assert.ok(first.state.vcCache);
    assert.equal(first.state.vcCache.jws, first.state.vc);
    const second = ctxFor(vpWith(vcJwt), deps);
    parsePresentation.run(second);
    assert.equal(second.state.vc, first.state.vc, 'the same decoded object is reused');
    assert.equal(second.state.vcCache, first.state.vcCache);
    assert.notEqual(second.state.vp, first.state.vp, 'presentations are never cached');
  });

  test('deep-freezes a cached credential so that one request cannot alter it for the next', () => {
    const deps = { ...DEPS, credentials: createCredentialCache() };
    const ctx = ctxFor(vpWith(vcJwt), deps);
    parsePresentation.run(ctx);
    assert.ok(Object.isFrozen(ctx.state.vc?.payload));
    assert.ok(Object.isFrozen(ctx.state.vc?.payload.vc));
    assert.ok(Object.isFrozen(ctx.state.vc?.header.x5c));
  });

  test('does not cache a credential that fails to decode', () => {
    const deps = { ...DEPS, credentials: createCredentialCache() };
    assert.throws(() => parsePresentation.run(ctxFor(vpWith('abc'), deps)), VerifierError);
    assert.equal(deps.credentials.get('abc'), undefined);
  });
});

describe('credentialObject', () => {
  test('returns the vc claim (VCDM 1.1 JWT)', () => {
    const vc = { type: ['LEARCredentialMachine'] };
    assert.equal(credentialObject({ iss: 'x', vc }), vc);
  });

  test('returns the payload itself when it is a VCDM 2.0 credential (type and credentialSubject at the root)', () => {
    const payload = { type: ['LEARCredentialMachine'], credentialSubject: {}, iss: 'x' };
    assert.equal(credentialObject(payload), payload);
  });

  test('is undefined when there is neither a vc object nor a root credential', () => {
    assert.equal(credentialObject({ vc: 'string' }), undefined);
    assert.equal(credentialObject({ vc: [] }), undefined);
    assert.equal(credentialObject({ type: ['X'] }), undefined);
    assert.equal(credentialObject({ credentialSubject: {} }), undefined);
  });
});
