/**
 * Helpers for the resource-server integration tests: tokens from the real verifier (M2M via
 * the client-credentials world, H2M via an in-process wallet login) and a fetch that reaches
 * the verifier app in-process.
 */
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, ISSUER, type MachineClient, type World } from '../support/world.ts';
import { browserRedirect, codeForm, startLogin, walletAnswer } from '../support/h2m.ts';

export const RP_CALLBACK = 'https://rp.example/callback';

export interface TokenWorld {
  w: World;
  rp: MachineClient;
  user: MachineClient;
}

/** A verifier world with an RP registered for the authorization-code flow. */
export async function createTokenWorld(options: { listen?: boolean } = {}): Promise<TokenWorld> {
  const rp = newMachine();
  const user = newMachine();
  const w = await createWorld({
    listen: options.listen,
    clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISSUER, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [RP_CALLBACK], scopes: ['openid_learcredential'] })],
  });
  return { w, rp, user };
}

/** An M2M access token (client_credentials with the world's machine credential). */
export async function machineToken(w: World): Promise<string> {
  const res = await w.post((await w.tokenRequest()).body);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return String(res.json.access_token);
}

/** Access and ID tokens of a human login (by default an employee v2 credential) presented by an in-process wallet. */
export async function employeeTokens(t: TokenWorld, credential?: string): Promise<{ accessToken: string; idToken: string; refreshToken: string }> {
  const { w, rp, user } = t;
  const employee = credential ?? w.issue({ kind: 'employee', shape: 'v2', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
  const login = await startLogin(w, { client_id: rp.did, redirect_uri: RP_CALLBACK, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}`, nonce: 'n-1' });
  const answer = await walletAnswer(w, login, user, employee);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  const code = new URL((await browserRedirect(w, login))!).searchParams.get('code')!;
  const res = await w.post(codeForm(rp, code, RP_CALLBACK, w));
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return { accessToken: String(res.json.access_token), idToken: String(res.json.id_token), refreshToken: String(res.json.refresh_token) };
}

/** A fetch that answers from the verifier app in-process, recording the paths it was asked for. */
export function verifierFetch(w: World, calls: string[] = []): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    assert.equal(url.origin, w.issuer, 'only the verifier is fetched');
    calls.push(url.pathname);
    const res = await w.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') } });
  }) as typeof fetch;
}
