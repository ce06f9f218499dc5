/**
 * Step 3 — bare SD-JWT VC presentations (`<issuer-jwt>~<disclosure>~…~<kb-jwt>`, spec §3 shape a)
 * through the DOME SD-JWT pipeline (credentials/sd-jwt/verify-sd-jwt.ts: issuer signature — x5c
 * seal chain of a did:elsi issuer or a did:key issuer —, times, disclosures, `cnf.jwk`, and the
 * KB-JWT: signature by `cnf.jwk`, `sd_hash`, `iat`). Its `aud` must be one of the accepted
 * audiences (grant: this verifier or the service's token endpoint; wallet: the login's) and, in
 * wallet mode, its `nonce` the login's; in grant mode the nonce is used once (`fiware-vp-replay`).
 * VCVerifier skips the KB-JWT. The credential becomes `{type: [vct], issuer: iss,
 * credentialSubject: {the other disclosed claims}}` (VCVerifier's mapping); its holder is the
 * SD-JWT's `sub` when it is a string, else the did:jwk of the holder key.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { exportPublicJwk } from '../../jose/keys.ts';
import type { Step } from '../../shared/pipeline.ts';
import { verifySdJwtPresentation } from '../../credentials/sd-jwt/verify-sd-jwt.ts';
import type { FiwareCredential, FiwarePresentationContext } from './context.ts';

const ENVELOPE = new Set(['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti', 'vct', 'cnf', 'status', '_sd', '_sd_alg']);

export const checkFiwareSdJwts: Step<FiwarePresentationContext> = {
  name: 'fiware-sd-jwt',
  async run({ input, deps, state }) {
    for (const p of state.sdJwts ?? []) {
      if (!input.audiences.includes(p.aud)) throw new VerifierError('ERR_SD_JWT_KB_AUDIENCE', 'the Key Binding JWT aud is not this verifier');
      if (input.mode === 'wallet' && p.nonce !== input.nonce) throw new VerifierError('ERR_SD_JWT_KB_NONCE', 'the Key Binding JWT nonce is not the one of this login');
      const v = await verifySdJwtPresentation(
        { presentation: p.presentation, expectedAudience: p.aud, expectedNonce: p.nonce },
        { clock: deps.clock, x5c: deps.x5c, policy: { clockSkewSeconds: deps.presentationPolicy.clockSkewSeconds } },
        deps.onStepFailure,
      );
      const holder = typeof v.claims.sub === 'string' && v.claims.sub !== '' ? v.claims.sub : `did:jwk:${Buffer.from(JSON.stringify(exportPublicJwk(v.holderKey))).toString('base64url')}`;
      if (state.holder !== undefined && state.holder !== holder) throw new VerifierError('ERR_HOLDER_BINDING', 'the presentations name different holders');
      state.holder = holder;
      state.holderKey ??= v.holderKey;
      const subject = Object.fromEntries(Object.entries(v.claims).filter(([k]) => !ENVELOPE.has(k)));
      const credential: FiwareCredential = {
        format: 'sd_jwt',
        jws: v.issuerJwt,
        compact: p.presentation,
        object: { type: v.vct === undefined ? [] : [v.vct], issuer: v.issuer, credentialSubject: subject },
        issuer: v.issuer,
        types: v.vct === undefined ? [] : [v.vct],
        requirements: [],
        holderKey: v.holderKey,
        ...(v.statusList ? { statusList: v.statusList } : {}),
      };
      state.credentials!.push(credential);
    }
  },
};
