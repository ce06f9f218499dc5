import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import {
  createDevChain, createRootCa, createSealCertificate, generateP256, issueSdJwtVc, presentSdJwt, encodeDisclosure,
  type DevCertificate, type IssueSdJwtOptions, type P256KeyPair,
} from '@dome-verifier/dev-issuer';
import { fixedClock } from '../../ports/clock.ts';
import { createX5cVerifier, loadTrustAnchors } from '../../keys/x509.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { SdJwtDeps } from './context.ts';
import { SdJwtError, type SdJwtFailure } from './errors.ts';
import { inspectSdJwt, SD_JWT_STEPS, verifySdJwtPresentation } from './verify-sd-jwt.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const NOW_S = NOW / 1000;
const CLIENT_ID = 'did:key:zDnaeVerifierClientId';
const NONCE = 'n-0S6_WzA2Mj';
const ORG = 'VATES-T0000001';
const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const SEAL = { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256', notBefore: NOT_BEFORE } as const;
const STATUS = { uri: 'https://issuer.example.org/status/1', idx: 42 };

let pki: { root: DevCertificate; intermediate: DevCertificate; seal: DevCertificate };
let deps: SdJwtDeps;
let holder: P256KeyPair;
let otherSeal: DevCertificate;
let rogueSeal: DevCertificate;

before(async () => {
  const chain = await createDevChain({ notBefore: NOT_BEFORE });
  pki = { ...chain, seal: await createSealCertificate(chain.intermediate, SEAL) };
  otherSeal = await createSealCertificate(pki.intermediate, { ...SEAL, organizationIdentifier: 'VATES-X9999999', organization: 'Other S.L.' });
  const rogueRoot = await createRootCa({ commonName: 'Rogue Root', keyAlg: 'ES256', notBefore: NOT_BEFORE });
  rogueSeal = await createSealCertificate(rogueRoot, SEAL);
  deps = { clock: fixedClock(NOW), x5c: createX5cVerifier(loadTrustAnchors(pki.root.certificatePem)) };
  holder = generateP256();
});

/** The credential as DOME's issuer writes it (x5c seal of ORG, cnf.jwk = holder, status list). */
function issue(o: Partial<IssueSdJwtOptions> = {}) {
  return issueSdJwtVc({
    seal: pki.seal, chain: [pki.intermediate], organizationIdentifier: ORG, holderJwk: holder.publicJwk,
    mandatee: { id: holder.did }, validFrom: new Date(NOW - 86_400_000), validUntil: new Date(NOW + 365 * 86_400_000),
    statusList: STATUS, ...o,
  });
}

/** The PWA's presentation of `sdJwt` (dome-wallet-pwa.md §4.5). */
function present(sdJwt = issue().sdJwt, o: Partial<Parameters<typeof presentSdJwt>[0]> = {}) {
  return presentSdJwt({ sdJwt, holderKey: holder.privateKey, clientId: CLIENT_ID, nonce: NONCE, iat: NOW_S, ...o });
}

const verify = (presentation: string, d: Partial<SdJwtDeps> = {}) =>
  verifySdJwtPresentation({ presentation, expectedAudience: CLIENT_ID, expectedNonce: NONCE }, { ...deps, ...d });

async function rejects(presentation: string, code: ErrorCode, failure: SdJwtFailure, d: Partial<SdJwtDeps> = {}) {
  await assert.rejects(verify(presentation, d), (e: unknown) => {
    assert.ok(e instanceof SdJwtError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.failure, failure, e.message);
    assert.equal(e.status, 400, 'never 401 to the wallet');
    return true;
  });
}

describe('SD-JWT VC presentation verification', () => {
  test('the steps run in the documented order', () => {
    assert.deepEqual(SD_JWT_STEPS.map((s) => s.name), [
      'sd-jwt-split', 'sd-jwt-issuer-header', 'sd-jwt-issuer-signature', 'sd-jwt-issuer-time', 'sd-jwt-sd-alg', 'sd-jwt-disclosures',
      'sd-jwt-holder-key', 'sd-jwt-kb-signature', 'sd-jwt-kb-audience', 'sd-jwt-kb-nonce', 'sd-jwt-kb-sd-hash', 'sd-jwt-kb-iat',
    ]);
  });

  test('a DOME-issued SD-JWT VC presented by the PWA verifies: disclosures applied, holder key, issuer and status returned', async () => {
    const v = await verify(present());
    assert.equal(v.issuer, `did:elsi:${ORG}`);
    assert.equal(v.issuerKeySource, 'x5c');
    assert.equal(v.vct, 'learcredential.employee.sd.1');
    assert.deepEqual(v.holderJwk, holder.publicJwk);
    assert.equal(v.holderKey.asymmetricKeyType, 'ec');
    assert.deepEqual(v.statusList, STATUS);
    assert.deepEqual(Object.keys(v.claims.mandate as object).sort(), ['mandatee', 'mandator', 'power']);
    const mandate = v.claims.mandate as Record<string, Record<string, unknown>>;
    assert.equal(mandate.mandatee!.id, holder.did);
    assert.equal(mandate.mandator!.organizationIdentifier, ORG);
    assert.equal(JSON.stringify(v.claims).includes('_sd'), false, 'no _sd or _sd_alg left');
  });

  test('a did:key issuer (no x5c) verifies with the key of its did:key', async () => {
    const issuerKey = generateP256();
    const v = await verify(present(issue({ didKeyIssuer: issuerKey.privateKey, seal: undefined }).sdJwt));
    assert.equal(v.issuer, issuerKey.did);
    assert.equal(v.issuerKeySource, 'did:key');
  });

  describe('presentation shape and caps', () => {
    test('a presentation without a Key Binding JWT (ends with "~") is refused: key binding is required', async () => {
      await rejects(issue().sdJwt, 'ERR_SD_JWT_KB_MISSING', 'KEY_BINDING_MISSING');
    });
    test('a bare JWT without "~" is refused', async () => {
      await rejects(issue().issuerJwt, 'ERR_SD_JWT_MALFORMED', 'PRESENTATION_MALFORMED');
    });
    test('an empty disclosure ("~~") is refused', async () => {
      const s = issue();
      await rejects(present(`${s.issuerJwt}~~${s.disclosures.join('~')}~`), 'ERR_SD_JWT_MALFORMED', 'PRESENTATION_MALFORMED');
    });
    test('a presentation longer than the cap is refused before decoding', async () => {
      await rejects(present(), 'ERR_SD_JWT_TOO_LARGE', 'PRESENTATION_TOO_LARGE', { limits: { maxLength: 2000 } });
    });
    test('more disclosures than the cap are refused', async () => {
      await rejects(present(), 'ERR_SD_JWT_TOO_LARGE', 'PRESENTATION_TOO_LARGE', { limits: { maxDisclosures: 2 } });
    });
  });

  describe('issuer JWT', () => {
    test('typ other than dc+sd-jwt (the older vc+sd-jwt) is refused', async () => {
      await rejects(present(issue({ transform: ({ header }) => { header.typ = 'vc+sd-jwt'; } }).sdJwt), 'ERR_SD_JWT_HEADER', 'ISSUER_JWT_TYP');
    });
    test('alg "none" is refused', async () => {
      const s = issue();
      const [h, p] = s.issuerJwt.split('.');
      const header = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h!, 'base64url').toString()), alg: 'none' })).toString('base64url');
      await rejects(present(`${header}.${p}.AAAA~${s.disclosures.join('~')}~`), 'ERR_SD_JWT_HEADER', 'ISSUER_JWT_ALG');
    });
    test('a payload changed after signing fails the signature', async () => {
      const s = issue();
      const other = issue({ mandatee: { id: 'did:key:zDnaeOther' } });
      const [h, , sig] = s.issuerJwt.split('.');
      const forged = `${h}.${other.issuerJwt.split('.')[1]}.${sig}`;
      await rejects(present(`${forged}~${other.disclosures.join('~')}~`), 'ERR_SD_JWT_SIGNATURE', 'ISSUER_SIGNATURE_INVALID');
    });
    test('a seal chain not anchored in a configured trust anchor is refused', async () => {
      await rejects(present(issue({ seal: rogueSeal, chain: [] }).sdJwt), 'ERR_SD_JWT_CERTIFICATE', 'ISSUER_CERTIFICATE_INVALID');
    });
    test('a seal whose organizationIdentifier is not the did:elsi suffix of iss is refused', async () => {
      await rejects(present(issue({ seal: otherSeal }).sdJwt), 'ERR_SD_JWT_ORGANIZATION_MISMATCH', 'ISSUER_ORGANIZATION_MISMATCH');
    });
    test('an x5c-signed credential whose iss is not a did:elsi is refused', async () => {
      await rejects(present(issue({ transform: ({ payload }) => { payload.iss = 'https://issuer.example.org'; } }).sdJwt), 'ERR_SD_JWT_ISSUER_KEY', 'ISSUER_KEY_UNSUPPORTED');
    });
    test('without x5c, an iss that is not a did:key is refused', async () => {
      const k = generateP256();
      const s = issue({ didKeyIssuer: k.privateKey, transform: ({ payload, header }) => { payload.iss = 'did:web:issuer.example.org'; delete header.kid; } });
      await rejects(present(s.sdJwt), 'ERR_SD_JWT_ISSUER_KEY', 'ISSUER_KEY_UNSUPPORTED');
    });
    test('a did:key issuer whose signature is by another key is refused', async () => {
      const k = generateP256();
      const s = issue({ didKeyIssuer: k.privateKey, transform: ({ payload, header }) => { payload.iss = generateP256().did; header.kid = payload.iss as string; } });
      await rejects(present(s.sdJwt), 'ERR_SD_JWT_SIGNATURE', 'ISSUER_SIGNATURE_INVALID');
    });
    test('an expired credential (exp passed beyond the skew) is refused', async () => {
      await rejects(present(issue({ validFrom: new Date(NOW - 10 * 86_400_000), validUntil: new Date(NOW - 61_000) }).sdJwt), 'ERR_SD_JWT_TIME', 'JWT_EXPIRED');
    });
    test('a credential not yet valid (nbf in the future beyond the skew) is refused', async () => {
      await rejects(present(issue({ validFrom: new Date(NOW + 61_000) }).sdJwt), 'ERR_SD_JWT_TIME', 'JWT_NOT_YET_VALID');
    });
  });

  describe('digests and disclosures', () => {
    test('an unknown _sd_alg (top level, as RFC 9901 places it) is refused', async () => {
      await rejects(present(issue({ transform: ({ payload }) => { payload._sd_alg = 'sha-512'; } }).sdJwt), 'ERR_SD_JWT_SD_ALG', 'SD_ALG_UNSUPPORTED');
    });
    test('an unknown _sd_alg inside mandate (where DOME places it) is refused', async () => {
      await rejects(present(issue({ transform: ({ payload }) => { (payload.mandate as Record<string, unknown>)._sd_alg = 'md5'; } }).sdJwt), 'ERR_SD_JWT_SD_ALG', 'SD_ALG_UNSUPPORTED');
    });
    test('a tampered disclosure (mandator changed by the holder) is refused', async () => {
      const s = issue();
      const tampered = encodeDisclosure('mandator', { organizationIdentifier: 'VATES-EVIL', organization: 'Evil' });
      await rejects(present(`${s.issuerJwt}~${s.disclosures[0]}~${tampered}~${s.disclosures[2]}~`), 'ERR_SD_JWT_DISCLOSURE', 'DISCLOSURE_UNREFERENCED');
    });
    test('a digest listed twice in the issuer JWT is refused', async () => {
      const s = issue({ transform: ({ payload }) => { const m = payload.mandate as { _sd: string[] }; m._sd.push(m._sd[0]!); } });
      await rejects(present(s.sdJwt), 'ERR_SD_JWT_DISCLOSURE', 'DIGEST_DUPLICATE');
    });
    test('a disclosure presented twice is refused', async () => {
      const s = issue();
      await rejects(present(`${s.sdJwt}${s.disclosures[0]}~`), 'ERR_SD_JWT_DISCLOSURE', 'DIGEST_DUPLICATE');
    });
    test('the holder may withhold a disclosure (selective disclosure): the claim is simply absent', async () => {
      const s = issue();
      const v = await verify(present(`${s.issuerJwt}~${s.disclosures[0]}~${s.disclosures[1]}~`));
      assert.deepEqual(Object.keys(v.claims.mandate as object).sort(), ['mandatee', 'mandator']);
    });
  });

  describe('holder key and Key Binding JWT', () => {
    test('a credential without cnf.jwk is refused', async () => {
      await rejects(present(issue({ transform: ({ payload }) => { delete payload.cnf; } }).sdJwt), 'ERR_SD_JWT_HOLDER_KEY', 'HOLDER_KEY_INVALID');
    });
    test('a KB-JWT whose typ is not kb+jwt is refused', async () => {
      await rejects(present(undefined, { typ: 'JWT' }), 'ERR_SD_JWT_KB_INVALID', 'KEY_BINDING_TYP');
    });
    test('a KB-JWT signed by another key than cnf.jwk is refused', async () => {
      await rejects(present(undefined, { holderKey: generateP256().privateKey }), 'ERR_SD_JWT_KB_INVALID', 'KEY_BINDING_SIGNATURE_INVALID');
    });
    test('a KB-JWT with alg none / a forged signature is refused', async () => {
      const p = present();
      const cut = p.slice(0, p.lastIndexOf('.') + 1);
      const bogus = sign('sha256', Buffer.from('x'), { key: generateP256().privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
      await rejects(cut + bogus, 'ERR_SD_JWT_KB_INVALID', 'KEY_BINDING_SIGNATURE_INVALID');
    });
    test('a KB-JWT for another audience is refused', async () => {
      await rejects(present(undefined, { clientId: 'did:key:zDnaeSomeOtherVerifier' }), 'ERR_SD_JWT_KB_AUDIENCE', 'KEY_BINDING_AUDIENCE_INVALID');
    });
    test('a KB-JWT whose aud is an array is refused (RFC 9901: a single string)', async () => {
      await rejects(present(undefined, { payload: (c) => { c.aud = [CLIENT_ID]; } }), 'ERR_SD_JWT_KB_AUDIENCE', 'KEY_BINDING_AUDIENCE_INVALID');
    });
    test('a KB-JWT with another nonce (a replay into a new login) is refused', async () => {
      await rejects(present(undefined, { nonce: 'another-nonce' }), 'ERR_SD_JWT_KB_NONCE', 'KEY_BINDING_NONCE_INVALID');
    });
    test('a KB-JWT without nonce is refused', async () => {
      await rejects(present(undefined, { payload: (c) => { delete c.nonce; } }), 'ERR_SD_JWT_KB_NONCE', 'KEY_BINDING_NONCE_INVALID');
    });
    test('a KB-JWT whose sd_hash is not over the presented SD-JWT is refused', async () => {
      await rejects(present(undefined, { sdHash: 'X'.repeat(43) }), 'ERR_SD_JWT_KB_SD_HASH', 'KEY_BINDING_SD_HASH_INVALID');
    });
    test('dropping a disclosure after the holder signed the KB-JWT breaks sd_hash', async () => {
      const s = issue();
      const p = present(s.sdJwt);
      const kb = p.slice(p.lastIndexOf('~') + 1);
      await rejects(`${s.issuerJwt}~${s.disclosures[0]}~${s.disclosures[1]}~${kb}`, 'ERR_SD_JWT_KB_SD_HASH', 'KEY_BINDING_SD_HASH_INVALID');
    });
    test('a KB-JWT older than the maximum age (plus skew) is refused; one just inside is accepted', async () => {
      await rejects(present(undefined, { iat: NOW_S - 300 - 61 }), 'ERR_SD_JWT_KB_IAT', 'KEY_BINDING_IAT_INVALID');
      await verify(present(undefined, { iat: NOW_S - 300 - 59 }));
    });
    test('a KB-JWT issued in the future beyond the skew is refused', async () => {
      await rejects(present(undefined, { iat: NOW_S + 61 }), 'ERR_SD_JWT_KB_IAT', 'KEY_BINDING_IAT_INVALID');
    });
    test('the KB-JWT window follows the configured policy', async () => {
      await rejects(present(undefined, { iat: NOW_S - 30 }), 'ERR_SD_JWT_KB_IAT', 'KEY_BINDING_IAT_INVALID', { policy: { kbMaxAgeSeconds: 10, clockSkewSeconds: 5 } });
    });
    test('a KB-JWT without iat is refused', async () => {
      await rejects(present(undefined, { payload: (c) => { delete c.iat; } }), 'ERR_SD_JWT_KB_IAT', 'KEY_BINDING_IAT_INVALID');
    });
  });

  test('inspectSdJwt reports every failing step of one presentation', async () => {
    const failures = await inspectSdJwt(
      { presentation: present(undefined, { nonce: 'x', clientId: 'y', iat: NOW_S - 3600 }), expectedAudience: CLIENT_ID, expectedNonce: NONCE },
      deps,
    );
    assert.deepEqual(failures.map((f) => f.step), ['sd-jwt-kb-audience', 'sd-jwt-kb-nonce', 'sd-jwt-kb-iat']);
  });
});

describe('SD-JWT VC verification on arbitrary input', () => {
  test('bounded random corruption of a valid presentation only ever fails with an SdJwtError (never another error, never success with changed content)', async () => {
    const valid = present();
    const alphabet = 'AZaz09-_~.{}"[]=+/ ';
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (let i = 0; i < 300; i++) {
      const chars = [...valid];
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(chars.length);
        const op = rnd(3);
        if (op === 0) chars[at] = alphabet[rnd(alphabet.length)]!;
        else if (op === 1) chars.splice(at, 1);
        else chars.splice(at, 0, alphabet[rnd(alphabet.length)]!);
      }
      const mutated = chars.join('');
      if (mutated === valid) continue;
      try {
        const v = await verify(mutated);
        // base64url has non-canonical-free encodings only; a success must mean identical meaning.
        assert.deepEqual(v.claims, (await verify(valid)).claims, `mutation ${i} verified with other claims`);
      } catch (e) {
        assert.ok(e instanceof SdJwtError, `mutation ${i}: ${String(e)}`);
      }
    }
  });

  test('non-string and huge inputs are refused with SdJwtErrors', async () => {
    await rejects(undefined as unknown as string, 'ERR_SD_JWT_MALFORMED', 'PRESENTATION_MALFORMED');
    await rejects('~'.repeat(100), 'ERR_SD_JWT_TOO_LARGE', 'PRESENTATION_TOO_LARGE');
    await rejects('a'.repeat(50 * 1024), 'ERR_SD_JWT_TOO_LARGE', 'PRESENTATION_TOO_LARGE');
  });
});
