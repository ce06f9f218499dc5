import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { generateP256, type IssueOptions, type P256KeyPair } from '@dome-verifier/dev-issuer';
import { decodeJws, signJws, type DecodedJws, type JwsHeader } from '../../jose/jws.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { PresentationContext, PresentationState } from '../context.ts';
import { checkHolderBinding } from './check-holder-binding.ts';
import { jwkThumbprint } from '../../jose/keys.ts';
import { credentialState, DECODE, loadTestPki, presentationContext, presentationDeps, verifierError } from './test-fixtures.ts';
import type { PresentationDeps } from '../context.ts';
import { createDidResolver } from '../../did/resolver.ts';
import { FetchError } from '../../ports/fetcher.ts';
import { fakeFetch, jsonResponse as json, type FakeAnswer } from '../../shared/fake-fetch.ts';

let holder: P256KeyPair;
let other: P256KeyPair;

before(async () => {
  await loadTestPki();
  holder = generateP256();
  other = generateP256();
});

/** A decoded credential bound to `boundTo` (machine v1: VC sub and mandatee.id; v2 adds credentialSubject.id). */
function credential(boundTo: string, o: Partial<IssueOptions> = {}): Pick<PresentationState, 'vc' | 'credential'> {
  return credentialState({ mandatee: { id: boundTo }, ...o });
}

interface VpOptions {
  key?: KeyObject;
  alg?: string;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
}

/** A decoded VP signed by `signer` (default kid = iss = sub = signer did). Header/payload members set to undefined are dropped. */
function presentation(signer: P256KeyPair, o: VpOptions = {}): DecodedJws {
  const header = JSON.parse(JSON.stringify({ alg: o.alg ?? 'ES256', typ: 'JWT', kid: signer.did, ...o.header })) as JwsHeader;
  const payload = JSON.parse(JSON.stringify({ iss: signer.did, sub: signer.did, vp: { verifiableCredential: ['x.y.z'] }, ...o.payload })) as Record<string, unknown>;
  return decodeJws(signJws(header, payload, o.key ?? signer.privateKey), DECODE);
}

function ctx(state: PresentationState, presenter?: string): PresentationContext {
  return presentationContext(state, undefined, presenter === undefined ? {} : { presenter });
}

function rejects(c: PresentationContext, code: ErrorCode, message: string): void {
  assert.throws(() => checkHolderBinding.run(c), verifierError(code, message));
  assert.equal(c.state.holderDid, undefined);
  assert.equal(c.state.holderKey, undefined);
}

async function rejectsAsync(c: PresentationContext, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(async () => checkHolderBinding.run(c), verifierError(code, message));
  assert.equal(c.state.holderDid, undefined);
  assert.equal(c.state.holderKey, undefined);
}

const ANOTHER_KEY = ['ERR_HOLDER_BINDING', 'the presentation was signed by another key than the credential holder'] as const;

describe('checkHolderBinding: accepted presentations', () => {
  test('is named holder-binding', () => {
    assert.equal(checkHolderBinding.name, 'holder-binding');
  });

  test('accepts a VP signed by the did:key the credential is bound to (header kid, iss, sub), and records the holder', () => {
    const c = ctx({ vp: presentation(holder), ...credential(holder.did) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
    assert.ok(c.state.holderKey);
    assert.equal(c.state.holderKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  test('accepts a kid that carries a DID URL fragment', () => {
    const c = ctx({ vp: presentation(holder, { header: { kid: `${holder.did}#${holder.did.slice(8)}` } }), ...credential(holder.did) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('accepts a VP naming its holder only in iss, or only in sub', () => {
    checkHolderBinding.run(ctx({ vp: presentation(holder, { header: { kid: undefined }, payload: { sub: undefined } }), ...credential(holder.did) }));
    checkHolderBinding.run(ctx({ vp: presentation(holder, { header: { kid: undefined }, payload: { iss: undefined } }), ...credential(holder.did) }));
  });

  test('ignores a kid that is not a DID (e.g. a key id)', () => {
    const c = ctx({ vp: presentation(holder, { header: { kid: 'key-1' } }), ...credential(holder.did) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('accepts the IN2 Java client dialect: header jwk of the holder, no kid', () => {
    const c = ctx({ vp: presentation(holder, { header: { kid: undefined, jwk: holder.publicJwk } }), ...credential(holder.did) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('derives the holder did:key from a header jwk when the VP names no DID', () => {
    const c = ctx({ vp: presentation(holder, { header: { kid: undefined, jwk: holder.publicJwk }, payload: { iss: undefined, sub: undefined } }), ...credential(holder.did) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('binds through credentialSubject.id (machine v2)', () => {
    const c = ctx({ vp: presentation(holder), ...credential(holder.did, { shape: 'v2' }) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('binds through mandatee.id when the credential has no credentialSubject.id and no JWT sub', () => {
    const c = ctx({ vp: presentation(holder), ...credential(holder.did, { transform: ({ payload }) => void delete payload.sub }) });
    checkHolderBinding.run(c);
  });

  test('accepts a credential bound only by cnf.jwk when the VP key has that thumbprint', () => {
    const cred = credential('urn:machine:1', { cnfJwk: holder.publicJwk, transform: ({ payload }) => void delete payload.sub });
    const c = ctx({ vp: presentation(holder), ...cred });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('accepts a credential bound by both subject DID and a matching cnf.jwk', () => {
    checkHolderBinding.run(ctx({ vp: presentation(holder), ...credential(holder.did, { cnfJwk: { ...holder.publicJwk, kid: 'x', use: 'sig' } }) }));
  });

  test('accepts when the holder is the presenter the flow requires (the authenticated client)', () => {
    const c = ctx({ vp: presentation(holder), ...credential(holder.did) }, holder.did);
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('does nothing until the VP, the VC and the mapped credential are all present', () => {
    const cred = credential(holder.did);
    checkHolderBinding.run(ctx({}));
    checkHolderBinding.run(ctx({ vp: presentation(other), vc: cred.vc }));
    checkHolderBinding.run(ctx({ ...cred }));
  });
});

describe('checkHolderBinding: refused presentations', () => {
  test('refuses a presentation signed by another key than the credential holder', () => {
    rejects(ctx({ vp: presentation(other), ...credential(holder.did) }), ...ANOTHER_KEY);
  });

  test('refuses a presentation by another holder even when the credential is bound through credentialSubject.id', () => {
    rejects(ctx({ vp: presentation(other), ...credential(holder.did, { shape: 'v2' }) }), ...ANOTHER_KEY);
  });

  test('credentialSubject.id takes precedence: a VC whose sub names the presenter but whose subject is another DID is refused', () => {
    const cred = credential(holder.did, { shape: 'v2', transform: ({ payload }) => void (payload.sub = other.did) });
    rejects(ctx({ vp: presentation(other), ...cred }), ...ANOTHER_KEY);
  });

  test('refuses a VP whose kid, iss and sub name different holders', () => {
    const message = 'the presentation names two different holders (kid, iss, sub)';
    const cred = credential(holder.did);
    rejects(ctx({ vp: presentation(holder, { header: { kid: other.did } }), ...cred }), 'ERR_HOLDER_BINDING', message);
    rejects(ctx({ vp: presentation(holder, { payload: { iss: other.did } }), ...cred }), 'ERR_HOLDER_BINDING', message);
    rejects(ctx({ vp: presentation(holder, { payload: { sub: other.did } }), ...cred }), 'ERR_HOLDER_BINDING', message);
  });

  test('refuses a VP whose named did:key did not sign it', () => {
    const vp = presentation(holder, { key: other.privateKey });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  });

  test('refuses a VP signed with another algorithm than ES256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const vp = presentation(holder, { alg: 'ES384', key: p384 });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  });

  test('refuses a VP whose signature was tampered with', () => {
    const vp = presentation(holder);
    const signature = Buffer.from(vp.signature);
    signature[10]! ^= 0x01;
    rejects(ctx({ vp: { ...vp, signature }, ...credential(holder.did) }), 'ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  });

  test('refuses a VP with a critical header the holder check does not understand', () => {
    const vp = presentation(holder, { header: { crit: ['exp'], exp: 1 } });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  });

  test('refuses a header jwk that is not the key of the DID the VP names', () => {
    const vp = presentation(other, { header: { kid: undefined, jwk: other.publicJwk }, payload: { iss: holder.did, sub: holder.did } });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_HOLDER_BINDING', 'the presentation header jwk is not the key of the named holder');
  });

  test('accepts the PWA dialect: header jwk of the holder with kid = its RFC 7638 thumbprint (dome-wallet-pwa.md §4.4)', () => {
    const kid = jwkThumbprint(holder.publicJwk as unknown as Record<string, unknown>);
    const c = ctx({ vp: presentation(holder, { header: { kid, jwk: holder.publicJwk } }), ...credential(holder.did) });
    checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, holder.did);
  });

  test('refuses a header jwk whose non-DID kid is not its JWK thumbprint', () => {
    const kid = jwkThumbprint(other.publicJwk as unknown as Record<string, unknown>);
    const vp = presentation(holder, { header: { kid, jwk: holder.publicJwk } });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_HOLDER_BINDING', 'the presentation header kid is not the JWK thumbprint of its jwk');
  });

  test('refuses a header jwk that carries a private key or is not a key', () => {
    for (const jwk of [holder.privateJwk, { kty: 'oct', k: 'c2VjcmV0' }, 'did:key:z', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }]) {
      const vp = presentation(holder, { header: { kid: undefined } });
      rejects(ctx({ vp: { ...vp, header: { ...vp.header, jwk: jwk as Record<string, unknown> } }, ...credential(holder.did) }), 'ERR_VP_MALFORMED', 'the presentation header jwk is not a public key');
    }
  });

  test('refuses a header jwk of a key type that has no did:key when the credential is bound to a DID', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = p384.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const vp = presentation(holder, { header: { kid: undefined, jwk }, payload: { iss: undefined, sub: undefined }, alg: 'ES384', key: p384.privateKey });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  });

  test('refuses a holder DID whose method the resolver does not support (did:web without a did:web driver, did:ebsi)', async () => {
    for (const did of ['did:web:machine.example', 'did:ebsi:zabc']) {
      const vp = presentation(holder, { header: { kid: did }, payload: { iss: did, sub: undefined } });
      await rejectsAsync(ctx({ vp, ...credential(did) }), 'ERR_DID_UNSUPPORTED_METHOD', `the DID method "${did.split(':')[1]}" is not supported`);
    }
  });

  test('refuses a did:key that is not a valid P-256 did:key', () => {
    const ed25519 = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    for (const did of [ed25519, 'did:key:zNotBase58!', 'did:key:z1111']) {
      const vp = presentation(holder, { header: { kid: did }, payload: { iss: did, sub: did } });
      rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_HOLDER_BINDING', 'the holder did:key is not a valid P-256 did:key');
    }
  });

  test('refuses a VP that does not identify its holder at all', () => {
    const vp = presentation(holder, { header: { kid: undefined }, payload: { iss: undefined, sub: undefined } });
    rejects(ctx({ vp, ...credential(holder.did) }), 'ERR_HOLDER_BINDING', 'the presentation does not identify its holder (kid, iss, sub or jwk)');
    const nonDid = presentation(holder, { header: { kid: 'k1' }, payload: { iss: 'machine-1', sub: 'machine-1' } });
    rejects(ctx({ vp: nonDid, ...credential(holder.did) }), 'ERR_HOLDER_BINDING', 'the presentation does not identify its holder (kid, iss, sub or jwk)');
  });

  test('refuses a credential bound to no holder (no subject DID, no cnf.jwk)', () => {
    const cred = credential('urn:machine:1', { transform: ({ payload }) => void delete payload.sub });
    rejects(ctx({ vp: presentation(holder), ...cred }), 'ERR_HOLDER_BINDING', 'the credential is not bound to a holder (no subject DID, no cnf.jwk)');
  });

  test('refuses a VP key whose thumbprint differs from the credential cnf.jwk', () => {
    const message = 'the presentation key does not match the credential cnf.jwk';
    rejects(ctx({ vp: presentation(holder), ...credential(holder.did, { cnfJwk: other.publicJwk }) }), 'ERR_HOLDER_BINDING', message);
    const cnfOnly = credential('urn:machine:1', { cnfJwk: other.publicJwk, transform: ({ payload }) => void delete payload.sub });
    rejects(ctx({ vp: presentation(holder), ...cnfOnly }), 'ERR_HOLDER_BINDING', message);
    const broken = credential(holder.did, { cnfJwk: { kty: 'EC', crv: 'P-256' } });
    rejects(ctx({ vp: presentation(holder), ...broken }), 'ERR_HOLDER_BINDING', message);
  });

  test('refuses a presentation made by someone other than the authenticated client', () => {
    rejects(ctx({ vp: presentation(holder), ...credential(holder.did) }, other.did), 'ERR_PRESENTER_NOT_CLIENT', 'the presentation holder is not the authenticated client');
  });

  test('compares the presenter with the bare holder DID: a presenter with a fragment is not the same client', () => {
    rejects(ctx({ vp: presentation(holder), ...credential(holder.did) }, `${holder.did}#key-1`), 'ERR_PRESENTER_NOT_CLIENT', 'the presentation holder is not the authenticated client');
  });
});

describe('checkHolderBinding: did:jwk and did:web holders (the DID resolver)', () => {
  const didJwkOf = (k: P256KeyPair) => `did:jwk:${Buffer.from(JSON.stringify(k.publicJwk)).toString('base64url')}`;
  const WEB = 'did:web:machine.example.org';
  const webDoc = (...keys: Array<[string, P256KeyPair]>) => ({
    id: WEB,
    verificationMethod: keys.map(([frag, k]) => ({ id: `${WEB}#${frag}`, type: 'JsonWebKey2020', controller: WEB, publicKeyJwk: k.publicJwk })),
  });
  const webDeps = (...answers: FakeAnswer[]) => {
    const f = fakeFetch(...answers);
    return { deps: presentationDeps({ dids: createDidResolver({ web: { fetch: f.fetch } }) }), requests: f.requests };
  };
  const webCtx = (deps: PresentationDeps, vp: DecodedJws, boundTo: string) => presentationContext({ vp, ...credential(boundTo) }, deps);

  test('accepts a VP signed by the did:jwk the credential is bound to (kid did:jwk#0), without any resolver configured', async () => {
    const did = didJwkOf(holder);
    const c = ctx({ vp: presentation(holder, { header: { kid: `${did}#0` }, payload: { iss: did, sub: did } }), ...credential(did) });
    await checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, did);
    assert.ok(c.state.holderKey);
  });

  test('accepts a VP signed by a did:web holder, the kid naming its verification method', async () => {
    const { deps, requests } = webDeps(json(webDoc(['key-1', other], ['key-2', holder])));
    const c = webCtx(deps, presentation(holder, { header: { kid: `${WEB}#key-2` }, payload: { iss: WEB, sub: WEB } }), WEB);
    await checkHolderBinding.run(c);
    assert.equal(c.state.holderDid, WEB);
    assert.deepEqual(requests.map((r) => [r.url, r.purpose]), [['https://machine.example.org/.well-known/did.json', 'untrusted']]);
  });

  test('a kid naming another verification method of the holder than the signing key fails the signature', async () => {
    const { deps } = webDeps(json(webDoc(['key-1', other], ['key-2', holder])));
    await rejectsAsync(webCtx(deps, presentation(holder, { header: { kid: `${WEB}#key-1` }, payload: { iss: WEB, sub: WEB } }), WEB), 'ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  });

  test('refuses a did:web holder that cannot be resolved, or whose document has no key for the kid (401, nothing recorded)', async () => {
    const vp = presentation(holder, { header: { kid: `${WEB}#key-9` }, payload: { iss: WEB, sub: WEB } });
    await rejectsAsync(webCtx(webDeps(new FetchError('network', 'down')).deps, vp, WEB), 'ERR_DID_RESOLUTION_FAILED', 'the did:web document could not be fetched (network)');
    await rejectsAsync(webCtx(webDeps(json({}, 404)).deps, vp, WEB), 'ERR_DID_NOT_FOUND', 'the did:web document does not exist (HTTP 404)');
    await rejectsAsync(webCtx(webDeps(json(webDoc(['key-1', holder]))).deps, vp, WEB), 'ERR_DID_KEY_NOT_FOUND', 'the DID document has no usable verification method with this id');
  });

  test('a did:web holder still has to be the credential holder and the presenter', async () => {
    const { deps } = webDeps(json(webDoc(['key-1', holder])));
    const vp = presentation(holder, { header: { kid: `${WEB}#key-1` }, payload: { iss: WEB, sub: WEB } });
    await rejectsAsync(webCtx(deps, vp, holder.did), ...ANOTHER_KEY);
    await rejectsAsync(presentationContext({ vp, ...credential(WEB) }, deps, { presenter: 'did:web:other.example' }), 'ERR_PRESENTER_NOT_CLIENT', 'the presentation holder is not the authenticated client');
  });
});
