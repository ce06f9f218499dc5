/**
 * A small confidential relying party built with @dome-verifier/client (node:http, no framework):
 *
 * - `GET /`         — a "Log in with your wallet" link;
 * - `GET /login`    — new state, nonce and PKCE pair kept in a server-side session (cookie), a
 *                     signed request object (passed by value, `request=`), 302 to the verifier;
 * - `GET /callback` — checks `iss` and `state`, exchanges the code with `private_key_jwt`,
 *                     validates the ID token and shows its claims and the LEAR powers.
 *
 * The RP is the demo trust framework's relying party: its did:key is its client_id and its
 * registered redirect URI is `http://localhost:3000/callback`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  buildAuthorizationUrl,
  createPkce,
  createRequestObject,
  discover,
  exchangeCode,
  OAuthError,
  randomNonce,
  randomState,
  validateCallback,
  validateIdToken,
  type AuthorizationServerMetadata,
  type IdTokenClaims,
  type LoadedP256Key,
} from '@dome-verifier/client';

const SCOPE = 'openid learcredential';
const SESSION_COOKIE = 'rp_session';
/** Pending logins are bounded (a login not finished within 10 minutes is forgotten). */
const MAX_SESSIONS = 1000;
const SESSION_TTL_MS = 600_000;

interface LoginSession {
  state: string;
  nonce: string;
  codeVerifier: string;
  createdAt: number;
}

export interface Power {
  function: string;
  action: string[];
}

export interface LoginRpOptions {
  /** The verifier's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** The RP's key; its did:key is the registered client_id. */
  key: LoadedP256Key;
  /** The RP's public origin, as registered (`http://localhost:3000`). */
  publicUrl: string;
}

export interface LoginRp {
  server: Server;
  metadata: AuthorizationServerMetadata;
  redirectUri: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The LEAR powers of the credential in the ID token's `vc_json` (v1 `tmf_*` and later field names). */
export function powersOf(claims: IdTokenClaims): Power[] {
  if (typeof claims.vc_json !== 'string') return [];
  const vc = JSON.parse(claims.vc_json) as { credentialSubject?: { mandate?: { power?: unknown } } };
  const raw = vc.credentialSubject?.mandate?.power;
  if (!Array.isArray(raw)) return [];
  return raw.map((p: Record<string, unknown>) => {
    const action = p.action ?? p.tmf_action;
    return { function: String(p.function ?? p.tmf_function ?? ''), action: (Array.isArray(action) ? action : [action]).map(String) };
  });
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function renderUser(claims: IdTokenClaims): string {
  const rows = (['sub', 'name', 'given_name', 'family_name', 'email', 'iss', 'auth_time'] as const)
    .filter((k) => claims[k] !== undefined)
    .map((k) => `<tr><th>${k}</th><td>${escapeHtml(String(claims[k]))}</td></tr>`)
    .join('');
  const powers = powersOf(claims)
    .map((p) => `<li><code>${escapeHtml(p.function)}</code>: ${p.action.map((a) => `<code>${escapeHtml(a)}</code>`).join(', ')}</li>`)
    .join('');
  return page('Logged in', `<p>The verifier logged you in with your LEAR credential. Verified ID token claims:</p><table id="claims">${rows}</table>
<h2>LEAR powers</h2><ul id="powers">${powers || '<li>none</li>'}</ul><p><a href="/">Home</a></p>`);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export async function startLoginRp(o: LoginRpOptions & { host: string; port: number }): Promise<LoginRp> {
  const metadata = await discover(o.issuer);
  const clientId = o.key.did;
  const redirectUri = `${o.publicUrl.replace(/\/+$/, '')}/callback`;
  const sessions = new Map<string, LoginSession>();

  const send = (res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) =>
    void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(html);

  async function login(res: ServerResponse): Promise<void> {
    const now = Date.now();
    for (const [id, s] of sessions) if (now - s.createdAt > SESSION_TTL_MS || sessions.size >= MAX_SESSIONS) sessions.delete(id);
    const pkce = createPkce();
    const session: LoginSession = { state: randomState(), nonce: randomNonce(), codeVerifier: pkce.verifier, createdAt: now };
    const sessionId = randomBytes(32).toString('base64url');
    sessions.set(sessionId, session);
    const request = await createRequestObject({ clientId, key: o.key, issuer: metadata.issuer, redirectUri, scope: SCOPE, state: session.state, nonce: session.nonce, codeChallenge: pkce.challenge });
    const location = buildAuthorizationUrl(metadata, { clientId, scope: SCOPE, state: session.state, nonce: session.nonce, request }).href;
    res.writeHead(302, { location, 'set-cookie': `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`, 'cache-control': 'no-store' }).end();
  }

  async function callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = cookieOf(req, SESSION_COOKIE);
    const session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined) sessions.delete(sessionId);
    if (!session) return send(res, 400, page('Login failed', '<p>No login in progress in this browser. <a href="/login">Log in again</a>.</p>'));
    try {
      const code = validateCallback(new URL(req.url ?? '/', redirectUri).href, { expectedState: session.state, issuer: metadata.issuer });
      const tokens = await exchangeCode(metadata, { clientId, key: o.key, code, redirectUri, codeVerifier: session.codeVerifier });
      const user = await validateIdToken(tokens.id_token ?? '', { metadata, clientId, nonce: session.nonce });
      send(res, 200, renderUser(user));
    } catch (e) {
      const what = e instanceof OAuthError ? `${e.error}: ${e.description ?? ''}` : 'unexpected error';
      send(res, 400, page('Login failed', `<p>${escapeHtml(what)}</p><p><a href="/login">Log in again</a></p>`));
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://rp').pathname;
    if (req.method !== 'GET') return send(res, 405, page('Method not allowed', ''));
    if (path === '/') return send(res, 200, page('Demo relying party', `<p>Client <code>${escapeHtml(clientId)}</code> of the verifier at <code>${escapeHtml(metadata.issuer)}</code>.</p><p><a id="login" href="/login">Log in with your wallet</a></p>`));
    if (path === '/login') return void login(res).catch(() => send(res, 500, page('Login failed', '<p>could not start the login</p>')));
    if (path === '/callback') return void callback(req, res);
    send(res, 404, page('Not found', ''));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return { server, metadata, redirectUri };
}
