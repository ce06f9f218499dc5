/**
 * Helpers for human-login flow tests: an RP that starts the login, an in-process wallet that
 * answers it like the DOME wallet, and the RP's code exchange — all through the real app.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createVpJwt } from '@dome-verifier/client';
import { signJws } from '@dome-verifier/core';
import type { MachineClient, World } from './world.ts';
import { decodePart } from './world.ts';

export interface StartedLogin {
  location: string;
  cookie: string;
  /** `name=value` of the binding cookie. */
  cookiePair: string;
  state: string;
  authRequest: string;
  requestPath: string;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function authorize(w: World, params: Record<string, string>): Promise<{ status: number; location?: string; setCookie?: string; body: string }> {
  const res = await w.app.inject({ method: 'GET', url: `/oidc/authorize?${new URLSearchParams(params).toString()}` });
  return { status: res.statusCode, location: res.headers.location as string | undefined, setCookie: res.headers['set-cookie'] as string | undefined, body: res.body };
}

export async function startLogin(w: World, params: Record<string, string>): Promise<StartedLogin> {
  const res = await authorize(w, params);
  assert.equal(res.status, 302, res.body);
  const location = res.location!;
  const url = new URL(location);
  assert.equal(url.pathname, '/login');
  const authRequest = url.searchParams.get('authRequest')!;
  const requestUri = new URL(authRequest.replace('openid4vp://', 'https://x/')).searchParams.get('request_uri')!;
  const cookie = res.setCookie!;
  return { location, cookie, cookiePair: cookie.split(';')[0]!, state: url.searchParams.get('state')!, authRequest, requestPath: new URL(requestUri).pathname };
}

export interface WalletAnswer {
  status: number;
  json: Record<string, unknown>;
  requestObject: Record<string, unknown>;
}

/** Fetches the request object and posts a VP of `credential` signed by `holder`, as the DOME wallet does. */
export async function walletAnswer(w: World, login: StartedLogin, holder: MachineClient, credential: string, tamper: { nonce?: string; aud?: string; state?: string } = {}): Promise<WalletAnswer> {
  const ro = await w.app.inject({ method: 'GET', url: login.requestPath });
  assert.equal(ro.statusCode, 200, ro.body);
  const claims = decodePart(ro.body);
  const vpJwt = await createVpJwt({ credentials: [credential], holderKey: holder.privateKey, holderDid: holder.did, audience: tamper.aud ?? 'https://self-issued.me/v2', nonce: tamper.nonce ?? String(claims.nonce), now: () => w.clock.now() });
  const form = new URLSearchParams({ state: tamper.state ?? String(claims.state), vp_token: Buffer.from(vpJwt).toString('base64url'), presentation_submission: '{"id":"x","definition_id":"y","descriptor_map":[]}' });
  const res = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
  return { status: res.statusCode, json: res.body ? (res.json() as Record<string, unknown>) : {}, requestObject: claims };
}

/** The redirect the browser that started `login` receives once the wallet answered. */
export async function browserRedirect(w: World, login: StartedLogin): Promise<string | undefined> {
  const binding = decodeURIComponent(login.cookiePair.slice(login.cookiePair.indexOf('=') + 1));
  return (await w.runtime.logins.viewForBrowser(binding, login.state))?.redirectTo;
}

export function clientAssertion(w: World, client: MachineClient, extra: Record<string, unknown> = {}): string {
  const iat = Math.floor(w.clock.now() / 1000);
  return signJws({ alg: 'ES256', kid: client.did }, { iss: client.did, sub: client.did, aud: w.issuer, iat, exp: iat + 60, jti: crypto.randomUUID(), ...extra }, client.privateKey);
}

/** A token request form authenticated as `client`: a did:key client signs an assertion; a string is a public client id. */
function tokenForm(w: World, client: MachineClient | string, params: Record<string, string>): URLSearchParams {
  const f = new URLSearchParams(params);
  if (typeof client === 'string') f.set('client_id', client);
  else {
    f.set('client_id', client.did);
    f.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    f.set('client_assertion', clientAssertion(w, client));
  }
  return f;
}

export function codeForm(client: MachineClient | string, code: string, redirectUri: string, w: World, extra: Record<string, string> = {}): URLSearchParams {
  return tokenForm(w, client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...extra });
}

export function refreshForm(client: MachineClient | string, refreshToken: string, w: World): URLSearchParams {
  return tokenForm(w, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}
