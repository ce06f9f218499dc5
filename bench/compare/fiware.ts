/**
 * The FIWARE `vp_token` grant of `npm run bench:compare`: the service our bench server is started
 * with, its Trusted Issuers List, and the shape of the request bodies.
 *
 * The request is the one a FIWARE Data Space Connector machine sends (docs/fiware.md,
 * `POST /services/{id}/token`, form `grant_type=vp_token&scope=default&vp_token=<VP JWT>`, no
 * client authentication), with the demo machine's LEARCredentialMachine (RS256, x5c chain to the
 * demo trust anchor, did:elsi issuer) — the credential DOME's data-space participants present,
 * and the one the M2M bench sends, so both grants carry the same DOME-sized payload. The service
 * keeps the strict default (`allowUnboundVp: false`): every VP JWT is bound (`aud` = the
 * service's token endpoint, a fresh `nonce`, `iat`/`exp`), pregenerated and sent once, as the
 * M2M assertions are. The issuer is trusted through an EBSI-shaped TIL on loopback (the bench
 * process; the verifier caches its answer, `cache.trustedIssuersTtlSeconds`).
 */
import { DEMO_ORGANIZATION_IDENTIFIER } from '@dome-verifier/dev-issuer';
import { startDemoTrustList, type DemoTrustList } from '../../examples/fiware/demo-trust-list.ts';
import type { AssertionShape } from './bodies.ts';
import type { M2mMaterial } from '../m2m-body.ts';

export const VP_SERVICE = 'bench-service';
export const VP_CREDENTIAL_TYPE = 'LEARCredentialMachine';
const VP_FORM = 'grant_type=vp_token&scope=default&vp_token=';

/** A loopback TIL that knows the demo trust framework's did:elsi issuer for LEARCredentialMachine. */
export function startBenchTrustList(): Promise<DemoTrustList> {
  return startDemoTrustList(`did:elsi:${DEMO_ORGANIZATION_IDENTIFIER}`, [VP_CREDENTIAL_TYPE]);
}

/** `verifier.fiware.services` of the bench server (VERIFIER_FIWARE_SERVICES). */
export function benchServices(trustListUrl: string): Array<Record<string, unknown>> {
  return [
    {
      id: VP_SERVICE,
      defaultOidcScope: 'default',
      authorizationType: 'DEEPLINK',
      oidcScopes: { default: { credentials: [{ type: VP_CREDENTIAL_TYPE, trustedIssuersLists: [trustListUrl], jwtInclusion: { enabled: true, fullInclusion: true } }] } },
    },
  ];
}

/** Bodies of the vp_token grant: a bound VP JWT (fresh nonce) around the machine's credential. */
export function vpShape(issuer: string, material: M2mMaterial, lifetimeSeconds: number, jtiPrefix: string): AssertionShape {
  const holder = material.clientId;
  return {
    formPrefix: VP_FORM,
    header: { alg: 'ES256', typ: 'JWT', kid: holder },
    constantClaims: {
      iss: holder,
      sub: holder,
      aud: `${issuer}/services/${VP_SERVICE}/token`,
      vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [material.credential], holder },
    },
    key: material.key.privateKey,
    lifetimeSeconds,
    jtiPrefix,
    uniqueClaim: 'nonce',
  };
}
