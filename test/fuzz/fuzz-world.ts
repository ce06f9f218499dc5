/**
 * The fuzzer's world: the real verifier (buildApp + createRuntime of test/support/world.ts)
 * listening on 127.0.0.1 with a complete trust world — dev CA chain, did:elsi issuer seal,
 * Trusted Issuers and Services Lists, revoked list — plus a machine client, a relying party
 * (authorization_code + refresh_token), a wallet user with a LEARCredentialEmployee, and
 * helpers that create live state over HTTP (logins, request objects, codes, refresh tokens).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createVpJwt } from '@dome-verifier/client';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World } from '../support/world.ts';
import { clientAssertion as signedAssertion } from '../support/h2m.ts';

export const CALLBACK = 'https://rp.example/callback';
export const REVOKED_ID = 'urn:uuid:0d5b3a38-7a0e-4f3e-9f42-5b2c8d1e6a77';

export interface FuzzWorld {
  w: World;
  port: number;
  rp: MachineClient;
  user: MachineClient;
  /** A client nobody registered (the attacker's own key). */
  attacker: MachineClient;
  /** The machine's LEARCredentialMachine and the user's LEARCredentialEmployee (issued once). */
  machineVc: string;
  employeeVc: string;
  url(path: string): string;
  clientAssertion(client: MachineClient, extra?: Record<string, unknown>): string;
  authorizeParams(extra?: Record<string, string>): { params: Record<string, string>; verifier: string };
  startLogin(extra?: Record<string, string>): Promise<LiveLogin>;
  walletForm(login: LiveLogin): Promise<{ state: string; vpJwt: string; nonce: string; form: Record<string, string> }>;
  completeLogin(): Promise<LiveLogin & { code: string }>;
  refreshToken(): Promise<string>;
  close(): Promise<void>;
}

export interface LiveLogin {
  /** The /login URL (path and query) the browser was sent to. */
  location: string;
  cookiePair: string;
  state: string;
  requestPath: string;
  verifier: string;
}

export interface FuzzWorldOptions {
  store?: import('@dome-verifier/core').Store & { ping?(): Promise<boolean> };
  env?: Record<string, string>;
}

export async function createFuzzWorld(options: FuzzWorldOptions = {}): Promise<FuzzWorld> {
  const rp = newMachine();
  const user = newMachine();
  const attacker = newMachine();
  // The RP is a did:key client: its key is decoded from its client id, whatever its jwkSetUrl.
  const w = await createWorld({
    listen: true,
    clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [CALLBACK] })],
    revoked: [REVOKED_ID],
    ...(options.store ? { store: options.store } : {}),
    // One source address makes every request: the per-address and per-client caps on pending
    // logins (a defence this fuzzer is not about) are lifted; malformed requests are what it sends.
    env: { VERIFIER_BACKEND_LOGIN_MAXPENDINGPERIP: '10000000', VERIFIER_BACKEND_LOGIN_MAXPENDINGPERCLIENT: '10000000', VERIFIER_BACKEND_LOGIN_MAXPENDING: '10000000', ...options.env },
  });
  const port = Number(new URL(w.issuer).port);
  const machineVc = w.issue();
  const employeeVc = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
  const url = (path: string) => `${w.issuer}${path}`;

  const clientAssertion = (client: MachineClient, extra: Record<string, unknown> = {}) => signedAssertion(w, client, extra);

  const authorizeParams = (extra: Record<string, string> = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    return {
      verifier,
      params: { client_id: rp.did, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid learcredential', state: `st-${randomBytes(9).toString('base64url')}`, nonce: `n-${randomBytes(6).toString('base64url')}`, code_challenge: challenge, code_challenge_method: 'S256', ...extra },
    };
  };

  async function startLogin(extra: Record<string, string> = {}): Promise<LiveLogin> {
    const { params, verifier } = authorizeParams(extra);
    const res = await fetch(url(`/oidc/authorize?${new URLSearchParams(params)}`), { redirect: 'manual' });
    const location = res.headers.get('location');
    const text = await res.text();
    if (res.status !== 302 || !location) throw new Error(`setup: /oidc/authorize answered ${res.status}: ${text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
    const loc = new URL(location, w.issuer);
    const cookie = res.headers.get('set-cookie');
    if (!cookie) throw new Error('setup: /oidc/authorize set no login cookie');
    const authRequest = loc.searchParams.get('authRequest') ?? '';
    const requestUri = new URL(authRequest.replace('openid4vp://', 'https://x/')).searchParams.get('request_uri') ?? '';
    return { location: `${loc.pathname}${loc.search}`, cookiePair: cookie.split(';')[0]!, state: loc.searchParams.get('state') ?? params.state!, requestPath: new URL(requestUri).pathname, verifier };
  }

  async function walletForm(login: LiveLogin) {
    const res = await fetch(url(login.requestPath));
    const jwt = await res.text();
    if (res.status !== 200) throw new Error(`setup: request object answered ${res.status}`);
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { nonce: string; state: string };
    const vpJwt = await createVpJwt({ credentials: [employeeVc], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: claims.nonce, now: () => w.clock.now() });
    return {
      state: claims.state,
      vpJwt,
      nonce: claims.nonce,
      form: { state: claims.state, vp_token: Buffer.from(vpJwt).toString('base64url'), presentation_submission: '{"id":"fuzz","definition_id":"dome","descriptor_map":[]}' },
    };
  }

  async function completeLogin() {
    const login = await startLogin();
    const { form } = await walletForm(login);
    const answer = await fetch(url('/oid4vp/auth-response'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const answerBody = await answer.text();
    if (answer.status !== 200) throw new Error(`setup: wallet answer ${answer.status}: ${answerBody}`);
    const status = await fetch(url(`/api/login/status?state=${encodeURIComponent(login.state)}`), { headers: { cookie: login.cookiePair } });
    const view = (await status.json()) as { redirect_to?: string };
    if (!view.redirect_to) throw new Error(`setup: login status ${status.status}: ${JSON.stringify(view)}`);
    const code = new URL(view.redirect_to).searchParams.get('code');
    if (!code) throw new Error('setup: no code in the redirect');
    return { ...login, code };
  }

  async function refreshToken(): Promise<string> {
    const login = await completeLogin();
    const res = await fetch(url('/oidc/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: login.code, redirect_uri: CALLBACK, code_verifier: login.verifier, client_id: rp.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion(rp) }),
    });
    const body = (await res.json()) as { refresh_token?: string };
    if (!body.refresh_token) throw new Error(`setup: code exchange ${res.status}: ${JSON.stringify(body)}`);
    return body.refresh_token;
  }

  return { w, port, rp, user, attacker, machineVc, employeeVc, url, clientAssertion, authorizeParams, startLogin, walletForm, completeLogin, refreshToken, close: () => w.close() };
}
