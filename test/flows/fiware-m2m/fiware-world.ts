/**
 * The trust world of the FIWARE M2M tests: the DOME world (its PKI, did:elsi seal, trust
 * anchors, revoked list) plus FIWARE services in `verifier.fiware.services` whose
 * `trustedIssuersLists` point at a loopback trust-service stub serving EBSI-shaped TIL entries
 * (`<base>/v4/issuers/<did>`) for a did:key FIWARE issuer (`UserCredential`) and the DOME seal
 * (`LEARCredentialMachine`). The server listens on 127.0.0.1 (real sockets).
 */
import { tirIssuerDocument } from '@dome-verifier/dev-issuer';
import { createWorld, ISSUER_DID, type World, type WorldOptions } from '../../support/world.ts';
import { createTrustServiceStub, type TrustServiceStub } from '../../support/trust-service-stub.ts';
import { newDidKey, type DidKeyPair } from '../../support/fiware.ts';

export interface FiwareWorld extends World {
  til: TrustServiceStub;
  fiwareIssuer: DidKeyPair;
  holder: DidKeyPair;
  /** POSTs a form to a path of the listening server. */
  postForm(path: string, form: Record<string, string> | string, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;
}

export function userScope(tilUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { credentials: [{ type: 'UserCredential', trustedIssuersLists: [tilUrl], jwtInclusion: { enabled: true, fullInclusion: true }, ...extra }] };
}

export async function createFiwareWorld(services: (tilUrl: string) => Array<Record<string, unknown>>, options: WorldOptions = {}): Promise<FiwareWorld> {
  const til = await createTrustServiceStub();
  const fiwareIssuer = newDidKey();
  const validFor = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 365 * 86_400_000).toISOString() };
  til.serve(`/v4/issuers/${fiwareIssuer.did}`, { body: JSON.stringify(tirIssuerDocument(fiwareIssuer.did, ['UserCredential', 'VerifiableCredential'], validFor)), contentType: 'application/json' });
  til.serve(`/v4/issuers/${ISSUER_DID}`, { body: JSON.stringify(tirIssuerDocument(ISSUER_DID, ['LEARCredentialMachine'], validFor)), contentType: 'application/json' });
  const w = await createWorld({ ...options, listen: true, env: { VERIFIER_FIWARE_SERVICES: JSON.stringify(services(til.base)), ...options.env } });
  const close = w.close;
  return Object.assign(w, {
    til,
    fiwareIssuer,
    holder: newDidKey(),
    async postForm(path: string, form: Record<string, string> | string, headers: Record<string, string> = {}) {
      const res = await fetch(`${w.issuer}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*', ...headers },
        body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = {};
      }
      return { status: res.status, json, headers: res.headers };
    },
    async close() {
      await close();
      await til.close();
    },
  });
}
