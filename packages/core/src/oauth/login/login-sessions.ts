/**
 * Pending H2M logins. A login session is created by `/oidc/authorize`, answered by the wallet
 * (`/oid4vp/auth-response`) and watched by the browser that started it (login page SSE / poll).
 *
 * - Stored through the `Store` port (JSON, TTL = login lifetime, 120 s as DOME), so any replica
 *   sharing the store can serve any leg; completion is also signalled in-process for SSE.
 * - The OpenID4VP `state` the wallet echoes is the session id (256-bit random), not the RP's
 *   `state`: RP states are chosen by others, may collide and may be guessable.
 * - Only the browser that started the login may learn its outcome (the code): it holds a secret
 *   in a cookie set by `/oidc/authorize`; the store keeps only its SHA-256 (dome-verifier-wire.md
 *   §10 item 13: IN2 let anyone who knew `state` receive the code).
 * - The session keeps the `openid4vp://` request it was created with, so that the login page
 *   shows this verifier's own request, never one taken from its URL (issue #9 item 6).
 *
 * Answering (issue #9 item 5). A wallet answer first takes a **lease** on the login
 * (`login-claimed:{id}` = `<random token>.<expiry ms>`, set-if-absent with the lease TTL): while
 * it is held, other answers are refused (409, `Retry-After` = the rest of the lease); when the
 * replica holding it dies, the lease lapses and a retry — on any replica — takes over. The
 * session record itself never changes: the outcome is written once, by set-if-absent of
 * `login-outcome:{id}` (the final transition). So however leases overlap (a slow holder that
 * outlives its lease), at most one answer completes a login, and only the completed outcome's
 * code is ever delivered: before issuing a code the holder checks that the lease is still its
 * own (or lapsed and not taken), and a holder that loses the final transition discards its code.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';

export type LoginStatus = 'pending' | 'complete' | 'failed';

/**
 * A FIWARE login (fiware/h2m, `/api/v1/authorization` or `/api/v2/loginQR`): the service it is
 * for, whether the wallet's answer is a same-device redirect (DEEPLINK) or a cross-device `200 {}`
 * (the QR page), and the DID that signed the client's request object, if one was used — the
 * only client a DID-signed assertion may redeem the code as.
 */
export interface FiwareLoginFlavour {
  readonly serviceId: string;
  readonly sameDevice: boolean;
  readonly clientDid?: string;
}

export interface LoginSession {
  readonly id: string;
  /** The RP's OAuth `state` (echoed to the RP; shown in the login URL). */
  readonly state: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  /** OIDC nonce from the RP, for the ID token. */
  readonly nonce?: string;
  readonly codeChallenge?: string;
  /** Nonce the wallet's VP must echo. */
  readonly presentationNonce: string;
  /** The `openid4vp://` request of this login (QR code, same-device button). */
  readonly authRequest: string;
  readonly homeUri?: string;
  /** Set for a FIWARE login; absent for DOME's `/oidc/authorize`. */
  readonly fiware?: FiwareLoginFlavour;
  readonly browserSecretHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** From the outcome record (`login-outcome:{id}`); `pending` until an answer completes or fails it. */
  status: LoginStatus;
  /** When complete: `<redirect_uri>?code=…&state=…&iss=…`. */
  redirectTo?: string;
  /** When failed: a public reason (no secrets). */
  error?: string;
  /** When failed: the stable error code (errors/codes.ts), when known. */
  errorCode?: string;
}

export interface LoginView {
  status: LoginStatus | 'expired';
  redirectTo?: string;
  error?: string;
  errorCode?: string;
  expiresAt: number;
  authRequest: string;
  homeUri?: string;
}

export type NewLogin = Omit<LoginSession, 'id' | 'presentationNonce' | 'browserSecretHash' | 'createdAt' | 'expiresAt' | 'status' | 'redirectTo' | 'error' | 'errorCode'> & {
  /** The nonce the wallet's presentation must echo; default: 192 random bits (FIWARE logins echo the client's `nonce`). */
  presentationNonce?: string;
};

/** The outcome of `claim`: the lease (an opaque token), or how long another answer still holds it. */
export type Claim = { ok: true; lease: string } | { ok: false; retryAfterMs: number };

export interface LoginSessions {
  readonly lifetimeMs: number;
  /** How long an answer's lease lasts. */
  readonly leaseMs: number;
  /** Creates a session; returns it with the browser secret (to be set as a cookie, never stored). */
  create(login: NewLogin): Promise<{ session: LoginSession; browserSecret: string }>;
  get(id: string): Promise<LoginSession | undefined>;
  /** Takes the answer lease of a pending login (one answer at a time; a lapsed lease is free). */
  claim(id: string): Promise<Claim>;
  /** True while `lease` is still this answer's, or lapsed and not taken by another. */
  holds(id: string, lease: string): Promise<boolean>;
  /** Gives the lease back (the answer could not be judged: a trust service was down), if still held. */
  release(id: string, lease: string): Promise<void>;
  /** The final transition: true for the one answer that completes (or fails) the login, false for any other. */
  complete(id: string, redirectTo: string): Promise<boolean>;
  fail(id: string, error: string, errorCode?: string): Promise<boolean>;
  /**
   * The session as the browser that started it may see it: `id.secret` from its cookie, and the
   * RP `state` from the page URL must both match; anything else gives undefined.
   */
  viewForBrowser(binding: string | undefined, state: string): Promise<LoginView | undefined>;
  /**
   * The same by the binding alone (`id.secret`, 256-bit secret): for an external login portal,
   * which is handed the binding as its `state` (verifier.frontend.portalUrl).
   */
  viewForBinding(binding: string | undefined): Promise<LoginView | undefined>;
  /** Called when the session completes or fails on this node; returns an unsubscribe function. */
  subscribe(id: string, listener: () => void): () => void;
}

/** Cookie carrying the browser binding of a login; one per RP `state`, so parallel tabs coexist. */
export function loginCookieName(state: string): string {
  return `dv_login_${createHash('sha256').update(state).digest('base64url').slice(0, 16)}`;
}

const hash = (s: string) => createHash('sha256').update(s).digest();

type Outcome = { status: 'complete'; redirectTo: string } | { status: 'failed'; error: string; errorCode?: string };

export function createLoginSessions(store: Store, clock: Clock, lifetimeMs = 120_000, leaseMs = 30_000): LoginSessions {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const key = (id: string) => `login:${id}`;
  const leaseKey = (id: string) => `login-claimed:${id}`;
  const outcomeKey = (id: string) => `login-outcome:${id}`;
  /** Sessions stay readable a minute past expiry so the page can say "expired" rather than "unknown". */
  const GRACE_MS = 60_000;
  const validId = (id: string) => /^[A-Za-z0-9_-]{20,64}$/.test(id);

  async function get(id: string): Promise<LoginSession | undefined> {
    if (!validId(id)) return undefined;
    const [raw, outcome] = await Promise.all([store.get(key(id)), store.get(outcomeKey(id))]);
    if (raw === undefined) return undefined;
    const session = JSON.parse(raw) as LoginSession;
    return outcome === undefined ? session : { ...session, ...(JSON.parse(outcome) as Outcome) };
  }

  /** Writes the outcome once; the first writer wins, later ones (a lapsed lease's holder) get false. */
  async function settle(id: string, outcome: Outcome): Promise<boolean> {
    const raw = validId(id) ? await store.get(key(id)) : undefined;
    if (raw === undefined) return false;
    const s = JSON.parse(raw) as LoginSession;
    const ttl = s.expiresAt + GRACE_MS - clock.now();
    if (ttl <= 0) return false;
    const won = await store.setIfAbsent(outcomeKey(id), JSON.stringify(outcome), ttl);
    if (won) events.emit(id);
    return won;
  }

  const leaseToken = (value: string | undefined) => value?.slice(0, value.indexOf('.'));

  return {
    lifetimeMs,
    leaseMs,
    async create(login) {
      const id = randomBytes(32).toString('base64url');
      const browserSecret = randomBytes(32).toString('base64url');
      const now = clock.now();
      const session: LoginSession = {
        ...login,
        id,
        presentationNonce: login.presentationNonce ?? randomBytes(24).toString('base64url'),
        browserSecretHash: hash(browserSecret).toString('base64url'),
        createdAt: now,
        expiresAt: now + lifetimeMs,
        status: 'pending',
      };
      await store.set(key(id), JSON.stringify(session), lifetimeMs + GRACE_MS);
      return { session, browserSecret: `${id}.${browserSecret}` };
    },
    get,
    async claim(id) {
      const lease = randomBytes(18).toString('base64url');
      const expires = clock.now() + leaseMs;
      if (await store.setIfAbsent(leaseKey(id), `${lease}.${expires}`, leaseMs)) return { ok: true, lease };
      const held = await store.get(leaseKey(id));
      const until = Number(held?.slice(held.indexOf('.') + 1));
      // Lapsed between the two calls (or unreadable): try again in a second.
      return { ok: false, retryAfterMs: Number.isFinite(until) && until > clock.now() ? until - clock.now() : 1000 };
    },
    async holds(id, lease) {
      const held = await store.get(leaseKey(id));
      return held === undefined || leaseToken(held) === lease;
    },
    async release(id, lease) {
      // Not atomic (get, then delete): if the lease lapsed and was taken in between, the other
      // answer loses its lease early — the outcome is still written at most once.
      if (leaseToken(await store.get(leaseKey(id))) === lease) await store.delete(leaseKey(id));
    },
    complete: (id, redirectTo) => settle(id, { status: 'complete', redirectTo }),
    fail: (id, error, errorCode) => settle(id, { status: 'failed', error, ...(errorCode !== undefined ? { errorCode } : {}) }),
    viewForBrowser: (binding, state) => view(binding, state),
    viewForBinding: (binding) => view(binding, undefined),
    subscribe(id, listener) {
      events.on(id, listener);
      return () => events.off(id, listener);
    },
  };

  /** The view for `binding` (`id.secret`); when `state` is given it must be the RP state too. */
  async function view(binding: string | undefined, state: string | undefined): Promise<LoginView | undefined> {
    if (!binding) return undefined;
    const dot = binding.indexOf('.');
    if (dot === -1) return undefined;
    const s = await get(binding.slice(0, dot));
    if (!s || (state !== undefined && s.state !== state)) return undefined;
    const given = hash(binding.slice(dot + 1));
    if (!timingSafeEqual(given, Buffer.from(s.browserSecretHash, 'base64url'))) return undefined;
    const expired = s.status === 'pending' && clock.now() >= s.expiresAt;
    return {
      status: expired ? 'expired' : s.status,
      redirectTo: s.status === 'complete' ? s.redirectTo : undefined,
      error: s.error,
      errorCode: s.errorCode,
      expiresAt: s.expiresAt,
      authRequest: s.authRequest,
      homeUri: s.homeUri,
    };
  }
}
