/**
 * Step 3 — the issuer key and signature. With an `x5c` header: the same rules as JWT VCs
 * (check-vc-signature.ts): the chain verifies to a configured trust anchor with every
 * certificate within validity, the leaf key verifies the JWS, and the leaf organizationIdentifier
 * equals the `did:elsi:` suffix of `iss`. Without `x5c`: `iss` is a P-256 `did:key` whose key
 * verifies the JWS (ES256); a header `kid`, when present, names that same DID.
 */
import type { KeyObject } from 'node:crypto';
import { stripFragment } from '@dome-verifier/did-key';
import { verifyJws } from '../../jose/jws.ts';
import { X509ChainError } from '../../keys/x509.ts';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import type { Step } from '../../shared/pipeline.ts';
import { SD_JWT_ISSUER_ALGORITHMS, type SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

const ELSI = 'did:elsi:';

export const verifyIssuerSignature: Step<SdJwtContext> = {
  name: 'sd-jwt-issuer-signature',
  run({ deps, state }) {
    const jws = state.issuerJwt!;
    const iss = jws.payload.iss;
    if (typeof iss !== 'string' || iss.length === 0 || iss.length > 512) sdJwtFail('ISSUER_KEY_UNSUPPORTED', 'the issuer JWT has no iss');
    let key: KeyObject;
    let source: 'x5c' | 'did:key';
    let organizationIdentifier: string | undefined;
    if (jws.header.x5c !== undefined) {
      if (!iss.startsWith(ELSI) || iss.length === ELSI.length) sdJwtFail('ISSUER_KEY_UNSUPPORTED', 'an x5c-signed SD-JWT VC must name a did:elsi issuer');
      try {
        const chain = deps.x5c(jws.header.x5c, deps.clock.now());
        key = chain.leafKey;
        organizationIdentifier = chain.organizationIdentifier;
      } catch (e) {
        if (e instanceof X509ChainError) sdJwtFail('ISSUER_CERTIFICATE_INVALID', `the issuer certificate chain is ${e.reason.replace(/_/g, ' ')}`, e);
        throw e;
      }
      source = 'x5c';
    } else {
      if (!iss.startsWith('did:key:')) sdJwtFail('ISSUER_KEY_UNSUPPORTED', 'the issuer JWT has neither an x5c chain nor a did:key issuer');
      const kid = jws.header.kid;
      if (kid !== undefined && stripFragment(kid) !== iss) sdJwtFail('ISSUER_KEY_UNSUPPORTED', 'the issuer JWT kid names another key than its did:key issuer');
      try {
        key = publicKeyOfDidKey(iss);
      } catch (e) {
        sdJwtFail('ISSUER_KEY_UNSUPPORTED', 'the issuer did:key is not a P-256 did:key', e);
      }
      source = 'did:key';
    }
    try {
      verifyJws(jws, key, { algorithms: SD_JWT_ISSUER_ALGORITHMS, crit: ['sigT'] });
    } catch (e) {
      sdJwtFail('ISSUER_SIGNATURE_INVALID', 'the issuer JWT signature does not verify with the issuer key', e);
    }
    if (source === 'x5c' && organizationIdentifier !== iss.slice(ELSI.length)) {
      sdJwtFail('ISSUER_ORGANIZATION_MISMATCH', 'the certificate organizationIdentifier does not match the issuer did:elsi');
    }
    state.issuer = iss;
    state.issuerKeySource = source;
  },
};
