/**
 * A world for FIWARE browser-login flows: the real verifier on 127.0.0.1 with FIWARE services
 * (a DEEPLINK `data-service` for the OID4VP client library, a FRONTEND_V2 `bae` marketplace with
 * its redirect URI, a service without authorizationType), the BAE marketplace's did:key and its
 * request object served over loopback HTTP (the trust-service stub), a LEAR employee, and a
 * wallet written from the spec (§2.9: form `state` + `vp_token`, the VP JWT signed by the holder
 * with `aud` = the request object's client_id and its `nonce`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createVpJwt } from '@dome-verifier/client';
import { signJws } from '@dome-verifier/core';
import { tirIssuerDocument, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, decodePart, ISSUER_DID, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { createTrustServiceStub, type TrustServiceStub } from '../../support/trust-service-stub.ts';
import { newDidKey, type DidKeyPair } from '../../support/fiware.ts';

export const BAE_CALLBACK = 'https://market.example/auth/vc/callback';
export const REQUEST_JWT_PATH = '/auth/vc/request.jwt';
export const LOGIN_SCOPE = 'openid learcredential';

/** A FIWARE-style user credential (`UserCredential`, `credentialSubject.roles`) for the scopes that accept one. */
export const USER_QUERY = { id: 'user-query', format: 'jwt_vc_json', meta: { type_values: [['UserCredential']] } };
const EMPLOYEE_QUERY = { id: 'employee-query', format: 'jwt_vc_json', meta: { type_values: [['LEARCredentialEmployee']] } };

/** Scopes per service; `til` is the trusted issuers list base URL (`<til>/v4/issuers/<did>`). */
export function h2mServices(til: string, baeCallback = BAE_CALLBACK): Array<Record<string, unknown>> {
  const employee = { type: 'LEARCredentialEmployee', trustedIssuersLists: [til], jwtInclusion: { enabled: true, fullInclusion: true } };
  const employeeScope = { credentials: [employee], dcql: { credentials: [EMPLOYEE_QUERY] } };
  const user = (jwtInclusion: Record<string, unknown>) => ({ type: 'UserCredential', trustedIssuersLists: [til], jwtInclusion });
  const claimsToInclude = [{ originalKey: 'credentialSubject.roles', newKey: 'roles' }, { originalKey: '$.credentialSubject.email', newKey: 'email' }];
  // The marketplace accepts a LEAR employee or a FIWARE user credential (either query answers it).
  const baeScope = { credentials: [employee, user({ enabled: true, fullInclusion: true })], dcql: { credentials: [EMPLOYEE_QUERY, USER_QUERY], credential_sets: [{ options: [['employee-query'], ['user-query']] }] } };
  return [
    { id: 'data-service', defaultOidcScope: 'default', authorizationType: 'DEEPLINK', oidcScopes: { default: employeeScope } },
    { id: 'bae', defaultOidcScope: LOGIN_SCOPE, authorizationType: 'FRONTEND_V2', oidcScopes: { [LOGIN_SCOPE]: baeScope }, redirectUris: [baeCallback] },
    { id: 'no-type', defaultOidcScope: 'default', oidcScopes: { default: employeeScope }, redirectUris: [baeCallback] },
    { id: 'bae-claims', defaultOidcScope: LOGIN_SCOPE, authorizationType: 'FRONTEND_V2', oidcScopes: { [LOGIN_SCOPE]: { credentials: [user({ enabled: true, claimsToInclude })], dcql: { credentials: [USER_QUERY] } } }, redirectUris: [baeCallback] },
    { id: 'bae-flat', defaultOidcScope: LOGIN_SCOPE, authorizationType: 'FRONTEND_V2', oidcScopes: { [LOGIN_SCOPE]: { credentials: [user({ enabled: true, claimsToInclude })], flatClaims: true, dcql: { credentials: [USER_QUERY] } } }, redirectUris: [baeCallback] },
  ];
}

/** The e-mail address the TIL entry of `restrictedIssuer` allows (`allowedValues`); credentials carry another by default. */
export const ALLOWED_EMAIL = 'allowed@consumer.example';

export interface H2mWorld {
  w: World;
  /** The marketplace's DID (signs its request object and its client assertions). */
  bae: MachineClient;
  user: MachineClient;
  employee: string;
  /** The TIL (trust-service stub): the DOME seal for LEARCredentialEmployee, `fiwareIssuer` and `restrictedIssuer` for UserCredential. */
  til: TrustServiceStub;
  /** A did:key issuer the TIL lists for UserCredential. */
  fiwareIssuer: DidKeyPair;
  /** A did:key issuer the TIL lists for UserCredential with `credentialSubject.email` restricted to ALLOWED_EMAIL. */
  restrictedIssuer: DidKeyPair;
  /** Serves BAE's request object (claims over the defaults) and returns its URL. */
  serveRequestObject(claims?: Record<string, unknown>, o?: { signer?: MachineClient; kid?: string }): string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  postForm(path: string, form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }>;
  /** The wallet: fetches `request_uri` of an openid4vp:// URL, posts a VP JWT of the employee. */
  wallet(authRequest: string, tamper?: { nonce?: string; aud?: string; credentials?: string[] }): Promise<{ status: number; json: Record<string, unknown>; location?: string; requestObject: Record<string, unknown> }>;
  /** A DID-signed client assertion as BAE builds it (iss = sub = client_id = kid = its DID, aud = verifier, exp +30 s). */
  assertion(o?: { signer?: MachineClient; kid?: string; claims?: Record<string, unknown> }): string;
  close(): Promise<void>;
}

/** Query parameters of an `openid4vp://?…` URL, read as java.net.URI + a query parser do. */
export function openId4VpQuery(url: string): URLSearchParams {
  assert.match(url, /^openid4vp:\/\/\?/);
  return new URLSearchParams(url.slice('openid4vp://?'.length));
}

/** `baeCallback`: the marketplace's redirect URI (a loopback RP in the browser test); `bae`: its DID. */
export async function createH2mWorld(o: { baeCallback?: string; bae?: MachineClient } = {}): Promise<H2mWorld> {
  const bae = o.bae ?? newMachine();
  const user = newMachine();
  const til = await createTrustServiceStub();
  const fiwareIssuer = newDidKey();
  const restrictedIssuer = newDidKey();
  const validFor = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 365 * 86_400_000).toISOString() };
  const serveIssuer = (did: string, doc: Record<string, unknown>) => til.serve(`/v4/issuers/${did}`, { body: JSON.stringify(doc), contentType: 'application/json' });
  serveIssuer(ISSUER_DID, tirIssuerDocument(ISSUER_DID, ['LEARCredentialEmployee'], validFor));
  serveIssuer(fiwareIssuer.did, tirIssuerDocument(fiwareIssuer.did, ['UserCredential'], validFor));
  const restricted = { validFor, credentialsType: 'UserCredential', claims: [{ path: '$.email', allowedValues: [ALLOWED_EMAIL] }] };
  serveIssuer(restrictedIssuer.did, { did: restrictedIssuer.did, attributes: [{ body: Buffer.from(JSON.stringify(restricted)).toString('base64'), issuerType: 'Undefined', tao: '', rootTao: '' }] });
  // A DOME public client whose client_id equals the FIWARE service id `bae`, with the same
  // redirect URI: DOME and FIWARE codes must still not cross (see bae-login.test.ts).
  const { jwkSetUrl: _none, ...domeTwin } = trustedServiceEntry({ clientId: 'bae', url: 'https://market.example', issuerUrl: 'http://127.0.0.1', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [BAE_CALLBACK] });
  const w = await createWorld({ listen: true, tilOverHttp: true, clients: [{ ...domeTwin, clientAuthenticationMethods: ['none'] }], env: { VERIFIER_FIWARE_SERVICES: JSON.stringify(h2mServices(til.base, o.baeCallback)), VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true' } });
  const employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
  const now = () => Math.floor(w.clock.now() / 1000);
  const self: H2mWorld = {
    w,
    bae,
    user,
    employee,
    til,
    fiwareIssuer,
    restrictedIssuer,
    serveRequestObject(claims = {}, o = {}) {
      const signer = o.signer ?? bae;
      const jwt = signJws(
        { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: o.kid ?? bae.did },
        { iss: bae.did, aud: w.issuer, client_id: 'bae', response_type: 'code', redirect_uri: BAE_CALLBACK, scope: LOGIN_SCOPE, exp: now() + 30, ...claims },
        signer.privateKey,
      );
      const path = `${REQUEST_JWT_PATH}/${randomUUID()}`;
      w.stub!.serve(path, { body: jwt, contentType: 'application/oauth-authz-req+jwt' });
      return w.stub!.url(path);
    },
    async get(path, headers = {}) {
      const res = await fetch(`${w.issuer}${path}`, { redirect: 'manual', headers });
      return { status: res.status, body: await res.text(), headers: Object.fromEntries(res.headers) };
    },
    async postForm(path, form) {
      const res = await fetch(`${w.issuer}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: Object.fromEntries(res.headers) };
    },
    async wallet(authRequest, tamper = {}) {
      const q = openId4VpQuery(authRequest);
      assert.equal(q.get('request_uri_method'), 'get');
      const ro = await fetch(q.get('request_uri')!);
      assert.equal(ro.status, 200);
      const jwt = await ro.text();
      const claims = decodePart(jwt);
      const vpJwt = await createVpJwt({ credentials: tamper.credentials ?? [employee], holderKey: user.privateKey, holderDid: user.did, audience: tamper.aud ?? String(claims.client_id), nonce: tamper.nonce ?? String(claims.nonce), now: () => w.clock.now() });
      const res = await self.postForm(new URL(String(claims.response_uri)).pathname, { state: String(claims.state), vp_token: vpJwt });
      return { ...res, ...(typeof res.headers.location === 'string' ? { location: res.headers.location } : {}), requestObject: claims };
    },
    assertion(o = {}) {
      const signer = o.signer ?? bae;
      return signJws({ alg: 'ES256', kid: o.kid ?? signer.did }, { iss: bae.did, sub: bae.did, aud: w.issuer, exp: now() + 30, ...o.claims }, signer.privateKey);
    },
    async close() {
      await w.close();
      await til.close();
    },
  };
  return self;
}
