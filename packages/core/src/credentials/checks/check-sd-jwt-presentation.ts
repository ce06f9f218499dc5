/**
 * SD-JWT VC answers (wallet leg) — the first step and the holder step of
 * SD_JWT_PRESENTATION_CHECKS (verify-presentation.ts):
 *
 *   sd-jwt-presentation  runs verifySdJwtPresentation (issuer JWT typ/alg/signature through x5c or
 *                        did:key, time, disclosures, cnf.jwk, the REQUIRED KB-JWT with `aud` = our
 *                        client_id, this login's `nonce`, `sd_hash`, `iat` window) and maps the
 *                        claims into the LEAR credential model, so that the trust steps the JWT
 *                        path runs (issuer, mandator, validity, revocation) run on it unchanged;
 *   holder-binding       the KB-JWT key (= `cnf.jwk`) is the holder the credential names
 *                        (assertCredentialHolder, shared with the VP JWT path).
 */
import { jwkToDidKey } from '@dome-verifier/did-key';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';
import { verifySdJwtPresentation } from '../sd-jwt/verify-sd-jwt.ts';
import { mapSdJwtLearCredential } from '../sd-jwt/map-lear-sd-jwt.ts';
import { assertCredentialHolder } from './check-holder-binding.ts';

export const verifySdJwtAnswer: Step<PresentationContext> = {
  name: 'sd-jwt-presentation',
  async run({ input, deps, state }) {
    if (!input.sdJwt) throw new VerifierError('ERR_SD_JWT_MALFORMED', 'no SD-JWT VC was presented');
    if (input.nonce === undefined) throw new VerifierError('ERR_VP_NONCE', 'an SD-JWT VC answers a login: the login nonce is required');
    const verified = await verifySdJwtPresentation(
      { presentation: input.sdJwt.presentation, expectedAudience: input.sdJwt.audience, expectedNonce: input.nonce },
      { clock: deps.clock, x5c: deps.x5c, policy: { clockSkewSeconds: deps.policy.clockSkewSeconds } },
    );
    state.sdJwt = verified;
    state.vc = verified.issuerJwt;
    state.credential = mapSdJwtLearCredential(verified);
  },
};

export const checkSdJwtHolder: Step<PresentationContext> = {
  name: 'holder-binding',
  run({ state }) {
    const { sdJwt, credential } = state;
    if (!sdJwt || !credential) return;
    let did: string | undefined;
    try {
      did = jwkToDidKey(sdJwt.holderJwk);
    } catch {
      did = undefined;
    }
    assertCredentialHolder(credential, sdJwt.claims, sdJwt.holderKey, did);
    state.holderDid = did;
    state.holderKey = sdJwt.holderKey;
  },
};
