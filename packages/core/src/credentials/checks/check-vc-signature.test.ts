import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  createDevChain, createRootCa, createSealCertificate, generateP256, x5cOf,
  type DevCertificate, type DevChain, type IssueOptions,
} from '@dome-verifier/dev-issuer';
import type { DecodedJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { createX5cVerifier, loadTrustAnchors, X509ChainError, type VerifiedChain } from '../../keys/x509.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { PresentationContext, PresentationState, X5cVerifier } from '../context.ts';
import { checkVcSignature, VC_ALGORITHMS } from './check-vc-signature.ts';
import type { CachedCredential } from '../credential-cache.ts';
import { credentialState, decodeVc, HOLDER, NOW, ORG, presentationContext, presentationDeps, verifierError } from './test-fixtures.ts';

const OTHER_ORG = 'VATES-X9999999';
const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const SEAL = { organizationIdentifier: ORG, organization: 'Test Issuer S.L.', country: 'ES', notBefore: NOT_BEFORE } as const;

let dev: DevChain;
let rsaSeal: DevCertificate;
let ecSeal: DevCertificate;
let otherSeal: DevCertificate;
let rogueRoot: DevCertificate;
let rogueSeal: DevCertificate;
let verifier: X5cVerifier;

before(async () => {
  dev = await createDevChain({ notBefore: NOT_BEFORE });
  rsaSeal = await createSealCertificate(dev.intermediate, SEAL);
  ecSeal = await createSealCertificate(dev.intermediate, { ...SEAL, keyAlg: 'ES256' });
  otherSeal = await createSealCertificate(dev.intermediate, { ...SEAL, organizationIdentifier: OTHER_ORG, organization: 'Other S.L.', keyAlg: 'ES256' });
  rogueRoot = await createRootCa({ commonName: 'Rogue Root', keyAlg: 'ES256', notBefore: NOT_BEFORE });
  rogueSeal = await createSealCertificate(rogueRoot, { ...SEAL, keyAlg: 'ES256' });
  verifier = createX5cVerifier(loadTrustAnchors(dev.root.certificatePem));
});

/** Decoded + mapped credential signed by `seal` (default: RSA seal, RS256, sigT critical, chain [intermediate]). */
function stateOf(o: Partial<IssueOptions> = {}): PresentationState {
  return credentialState({ seal: rsaSeal, chain: [dev.intermediate], signingTime: new Date(NOW), ...o });
}

function ctx(state: PresentationState, nowMs = NOW, x5c: X5cVerifier = verifier): PresentationContext {
  return presentationContext(state, presentationDeps({ nowMs, x5c }));
}

function rejects(c: PresentationContext, code: ErrorCode, message: string): VerifierError {
  let error: VerifierError | undefined;
  assert.throws(() => checkVcSignature.run(c), (e: unknown) => {
    verifierError(code, message)(e);
    error = e as VerifierError;
    return true;
  });
  return error!;
}

const BAD_SIGNATURE = ['ERR_VC_SIGNATURE', 'the credential signature does not verify with its certificate'] as const;
const header = (edit: (h: Record<string, unknown>) => void): Partial<IssueOptions> => ({ transform: ({ header: h }) => edit(h as Record<string, unknown>) });
const withVc = (s: PresentationState, vc: DecodedJws): PresentationState => ({ ...s, vc });

describe('checkVcSignature: accepted credentials', () => {
  test('is named vc-signature', () => {
    assert.equal(checkVcSignature.name, 'vc-signature');
  });

  test('accepts an RS256 JAdES credential (critical sigT) from a seal chained to a trust anchor', () => {
    const s = stateOf();
    assert.deepEqual(s.vc?.header.crit, ['sigT']);
    checkVcSignature.run(ctx(s));
  });

  test('accepts PS256 from an RSA seal and ES256 from a P-256 seal', () => {
    checkVcSignature.run(ctx(stateOf({ alg: 'PS256' })));
    checkVcSignature.run(ctx(stateOf({ seal: ecSeal })));
  });

  test('accepts a credential without sigT/crit', () => {
    checkVcSignature.run(ctx(stateOf({ sigT: false })));
  });

  test('accepts an x5c that includes the trust anchor itself', () => {
    checkVcSignature.run(ctx(stateOf({ chain: [dev.intermediate, dev.root] })));
  });

  test('uses the VC JWT iss as the issuer when vc.issuer is absent', () => {
    checkVcSignature.run(ctx(stateOf({ transform: ({ payload }) => void delete (payload.vc as Record<string, unknown>).issuer })));
  });

  test('verifies the chain at the injected clock time', () => {
    const seen: number[] = [];
    const spy: X5cVerifier = (x5c, nowMs) => {
      seen.push(nowMs);
      return verifier(x5c, nowMs);
    };
    checkVcSignature.run(ctx(stateOf(), NOW + 1234, spy));
    assert.deepEqual(seen, [NOW + 1234]);
  });

  test('does nothing without a decoded credential', () => {
    const s = stateOf();
    checkVcSignature.run(ctx({}));
    checkVcSignature.run(ctx({ vc: s.vc }));
    checkVcSignature.run(ctx({ credential: s.credential }));
  });

  test('allows the JAdES algorithms and not EdDSA or ES512', () => {
    for (const alg of ['RS256', 'PS256', 'ES256']) assert.ok(VC_ALGORITHMS.includes(alg as never), alg);
    assert.equal(VC_ALGORITHMS.includes('EdDSA'), false);
    assert.equal(VC_ALGORITHMS.includes('ES512'), false);
  });
});

describe('checkVcSignature: issuer and certificate chain', () => {
  test('refuses an issuer that is not a did:elsi', () => {
    for (const issuer of ['did:web:issuer.example', HOLDER]) {
      const s = stateOf({
        transform: ({ payload }) => {
          (payload.vc as Record<string, unknown>).issuer = issuer;
          payload.iss = issuer;
        },
      });
      rejects(ctx(s), 'ERR_VC_SIGNATURE', 'only did:elsi issuers with x5c signatures are supported');
    }
  });

  test('refuses a credential without an x5c header', () => {
    rejects(ctx(stateOf(header((h) => void delete h.x5c))), 'ERR_VC_CERTIFICATE', 'the credential header has no x5c certificate chain');
  });

  test('refuses a chain that ends in a root that is not a trust anchor', () => {
    const e = rejects(ctx(stateOf({ seal: rogueSeal, chain: [rogueRoot] })), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is untrusted');
    assert.ok(e.cause instanceof X509ChainError);
  });

  test('refuses a leaf sent without its intermediate', () => {
    rejects(ctx(stateOf({ chain: [] })), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is untrusted');
  });

  test('refuses a chain used after the seal certificate expired', () => {
    const sealNotAfter = Date.parse(new X509Certificate(rsaSeal.der).validTo);
    const s = stateOf();
    checkVcSignature.run(ctx(s, sealNotAfter));
    rejects(ctx(s, sealNotAfter + 1000), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is expired');
  });

  test('refuses a chain used before its certificates are valid', () => {
    rejects(ctx(stateOf(), NOT_BEFORE.getTime() - 1000), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is not yet valid');
  });

  test('refuses a malformed or over-long x5c', () => {
    rejects(ctx(stateOf(header((h) => void (h.x5c = 'MIIB')))), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is malformed');
    rejects(ctx(stateOf(header((h) => void (h.x5c = [rsaSeal.x5c.replace(/\+/g, '-')])))), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is malformed');
    rejects(ctx(stateOf(header((h) => void (h.x5c = new Array(6).fill(rsaSeal.x5c))))), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is too long');
  });

  test('propagates an unexpected (non-chain) failure of the x5c verifier unchanged', () => {
    const boom: X5cVerifier = () => {
      throw new TypeError('boom');
    };
    assert.throws(() => checkVcSignature.run(ctx(stateOf(), NOW, boom)), TypeError);
  });
});

describe('checkVcSignature: signature and organisation', () => {
  test('refuses a credential whose payload was changed after signing', () => {
    const s = stateOf();
    const [h, p, sig] = s.vc!.signingInput.split('.').concat(s.vc!.signature.toString('base64url'));
    const payload = { ...(JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>), sub: generateP256().did };
    const forged = decodeVc(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`);
    rejects(ctx(withVc(s, forged)), ...BAD_SIGNATURE);
  });

  test('refuses a credential signed by another key than the x5c leaf', () => {
    // signed with the other organisation's seal key, but presenting our seal certificate
    const s = stateOf({ seal: otherSeal, ...header((h) => void (h.x5c = x5cOf(ecSeal, dev.intermediate))) });
    rejects(ctx(s), ...BAD_SIGNATURE);
  });

  test('refuses a critical header parameter other than sigT', () => {
    const s = stateOf(header((h) => {
      h.crit = ['sigT', 'sigD'];
      h.sigD = { mId: 'http://uri.etsi.org/19182/ObjectIdByURI' };
    }));
    const e = rejects(ctx(s), ...BAD_SIGNATURE);
    assert.ok(e.cause instanceof JoseError);
    assert.equal(e.cause.code, 'ERR_JWS_CRIT_UNSUPPORTED');
  });

  test('refuses an algorithm outside the JAdES allow-list, keeping the JOSE reason as cause', () => {
    const s = stateOf({ seal: ecSeal });
    const e = rejects(ctx(withVc(s, { ...s.vc!, header: { ...s.vc!.header, alg: 'EdDSA' } })), ...BAD_SIGNATURE);
    assert.ok(e.cause instanceof JoseError);
    assert.equal(e.cause.code, 'ERR_JWS_ALG_NOT_ALLOWED');
  });

  test('refuses an alg that does not fit the leaf key (ES256 header over an RSA seal)', () => {
    const s = stateOf();
    const e = rejects(ctx(withVc(s, { ...s.vc!, header: { ...s.vc!.header, alg: 'ES256' } })), ...BAD_SIGNATURE);
    assert.equal((e.cause as JoseError).code, 'ERR_JWS_KEY_MISMATCH');
  });

  test('refuses a valid seal of another organisation than the did:elsi issuer', () => {
    const s = stateOf({ seal: otherSeal, organizationIdentifier: ORG });
    rejects(ctx(s), 'ERR_VC_ORGANIZATION_MISMATCH', 'the certificate organizationIdentifier does not match the issuer did:elsi');
  });

  test('compares the organisation with the issuer exactly (no prefix or case folding)', () => {
    const lower = stateOf({
      transform: ({ payload }) => {
        (payload.vc as { issuer: Record<string, unknown> }).issuer.id = `did:elsi:${ORG.toLowerCase()}`;
        payload.iss = `did:elsi:${ORG.toLowerCase()}`;
      },
    });
    rejects(ctx(lower), 'ERR_VC_ORGANIZATION_MISMATCH', 'the certificate organizationIdentifier does not match the issuer did:elsi');
  });

  test('checks the organisation only after the signature (a forged credential reports the signature)', () => {
    const s = stateOf({ seal: otherSeal, organizationIdentifier: ORG });
    const broken = { ...s.vc!, signature: Buffer.alloc(64) };
    rejects(ctx(withVc(s, broken)), ...BAD_SIGNATURE);
  });

  test('the verified chain of a seal names its organizationIdentifier (fixture sanity)', () => {
    const chain: VerifiedChain = verifier(x5cOf(otherSeal, dev.intermediate), NOW);
    assert.equal(chain.organizationIdentifier, OTHER_ORG);
  });
});

describe('checkVcSignature: verified-credential cache', () => {
  /** Counts x5c verifications. */
  const counting = () => {
    const calls: number[] = [];
    const x5c: X5cVerifier = (chain, nowMs) => {
      calls.push(nowMs);
      return verifier(chain, nowMs);
    };
    return { x5c, calls };
  };
  const cached = (s: PresentationState): PresentationState => ({ ...s, vcCache: { jws: s.vc! } });

  test('records the chain validity window on the cache entry after a full verification', () => {
    const s = cached(stateOf());
    checkVcSignature.run(ctx(s));
    const chain = verifier(s.vc!.header.x5c, NOW);
    assert.deepEqual(s.vcCache?.signature, { notBefore: chain.notBefore, notAfter: chain.notAfter });
    assert.ok(chain.notBefore <= NOW && NOW <= chain.notAfter);
  });

  test('reuses the verdict inside the window without verifying the chain again', () => {
    const s = cached(stateOf());
    const { x5c, calls } = counting();
    checkVcSignature.run(ctx(s, NOW, x5c));
    checkVcSignature.run(ctx(s, NOW + 86_400_000, x5c));
    checkVcSignature.run(ctx(s, s.vcCache!.signature!.notAfter, x5c));
    assert.equal(calls.length, 1);
  });

  test('verifies again (and refuses) once the clock leaves the cached window', () => {
    const s = cached(stateOf());
    const { x5c, calls } = counting();
    checkVcSignature.run(ctx(s, NOW, x5c));
    const { notBefore, notAfter } = s.vcCache!.signature!;
    rejects(ctx(s, notAfter + 1, x5c), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is expired');
    rejects(ctx(s, notBefore - 1, x5c), 'ERR_VC_CERTIFICATE', 'the credential certificate chain is not yet valid');
    assert.equal(calls.length, 3);
  });

  test('records no verdict when verification fails, so every later request verifies again', () => {
    for (const o of [{ seal: otherSeal, organizationIdentifier: ORG }, { seal: rogueSeal, chain: [rogueRoot] }] as Partial<IssueOptions>[]) {
      const s = cached(stateOf(o));
      assert.throws(() => checkVcSignature.run(ctx(s)), VerifierError);
      assert.equal(s.vcCache?.signature, undefined);
      assert.throws(() => checkVcSignature.run(ctx(s)), VerifierError);
    }
  });

  test('still refuses a non-did:elsi issuer before consulting a cached verdict', () => {
    const s = stateOf({
      transform: ({ payload }) => {
        (payload.vc as Record<string, unknown>).issuer = 'did:web:issuer.example';
        payload.iss = 'did:web:issuer.example';
      },
    });
    const entry: CachedCredential = { jws: s.vc!, signature: { notBefore: 0, notAfter: Number.MAX_SAFE_INTEGER } };
    rejects(ctx({ ...s, vcCache: entry }), 'ERR_VC_SIGNATURE', 'only did:elsi issuers with x5c signatures are supported');
  });
});
