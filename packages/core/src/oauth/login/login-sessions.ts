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
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';

export type LoginStatus = 'pending' | 'complete' | 'failed';

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
  readonly homeUri?: string;
  readonly browserSecretHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  status: LoginStatus;
  /** When complete: `<redirect_uri>?code=…&state=…&iss=…`. */
  redirectTo?: string;
  /** When failed: a public reason (no secrets). */
  error?: string;
}

export interface LoginView {
  status: LoginStatus | 'expired';
  redirectTo?: string;
  error?: string;
  expiresAt: number;
  homeUri?: string;
}

export type NewLogin = Omit<LoginSession, 'id' | 'presentationNonce' | 'browserSecretHash' | 'createdAt' | 'expiresAt' | 'status'>;

export interface LoginSessions {
  readonly lifetimeMs: number;
  /** Creates a session; returns it with the browser secret (to be set as a cookie, never stored). */
  create(login: NewLogin): Promise<{ session: LoginSession; browserSecret: string }>;
  get(id: string): Promise<LoginSession | undefined>;
  /** Marks the wallet answer as received; false when it was already received (one use per session). */
  claim(id: string): Promise<boolean>;
  /** Undoes `claim` when the answer could not be judged (a trust service was down), so the wallet may retry. */
  unclaim(id: string): Promise<void>;
  complete(id: string, redirectTo: string): Promise<void>;
  fail(id: string, error: string): Promise<void>;
  /**
   * The session as the browser that started it may see it: `id.secret` from its cookie, and the
   * RP `state` from the page URL must both match; anything else gives undefined.
   */
  viewForBrowser(binding: string | undefined, state: string): Promise<LoginView | undefined>;
  /** Called when the session completes or fails on this node; returns an unsubscribe function. */
  subscribe(id: string, listener: () => void): () => void;
}

/** Cookie carrying the browser binding of a login; one per RP `state`, so parallel tabs coexist. */
export function loginCookieName(state: string): string {
  return `dv_login_${createHash('sha256').update(state).digest('base64url').slice(0, 16)}`;
}

const hash = (s: string) => createHash('sha256').update(s).digest();

export function createLoginSessions(store: Store, clock: Clock, lifetimeMs = 120_000): LoginSessions {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const key = (id: string) => `login:${id}`;
  /** Sessions stay readable a minute past expiry so the page can say "expired" rather than "unknown". */
  const GRACE_MS = 60_000;

  async function get(id: string): Promise<LoginSession | undefined> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(id)) return undefined;
    const raw = await store.get(key(id));
    return raw === undefined ? undefined : (JSON.parse(raw) as LoginSession);
  }

  async function update(id: string, change: Partial<LoginSession>): Promise<void> {
    const s = await get(id);
    if (!s) return;
    const ttl = s.expiresAt + GRACE_MS - clock.now();
    if (ttl <= 0) return;
    await store.set(key(id), JSON.stringify({ ...s, ...change }), ttl);
    events.emit(id);
  }

  return {
    lifetimeMs,
    async create(login) {
      const id = randomBytes(32).toString('base64url');
      const browserSecret = randomBytes(32).toString('base64url');
      const now = clock.now();
      const session: LoginSession = {
        ...login,
        id,
        presentationNonce: randomBytes(24).toString('base64url'),
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
      const s = await get(id);
      if (!s) return false;
      return store.setIfAbsent(`login-claimed:${id}`, '1', Math.max(1000, s.expiresAt - clock.now()));
    },
    unclaim: (id) => store.delete(`login-claimed:${id}`),
    complete: (id, redirectTo) => update(id, { status: 'complete', redirectTo }),
    fail: (id, error) => update(id, { status: 'failed', error }),
    async viewForBrowser(binding, state) {
      if (!binding) return undefined;
      const dot = binding.indexOf('.');
      if (dot === -1) return undefined;
      const s = await get(binding.slice(0, dot));
      if (!s || s.state !== state) return undefined;
      const given = hash(binding.slice(dot + 1));
      if (!timingSafeEqual(given, Buffer.from(s.browserSecretHash, 'base64url'))) return undefined;
      const expired = s.status === 'pending' && clock.now() >= s.expiresAt;
      return {
        status: expired ? 'expired' : s.status,
        redirectTo: s.status === 'complete' ? s.redirectTo : undefined,
        error: s.error,
        expiresAt: s.expiresAt,
        homeUri: s.homeUri,
      };
    },
    subscribe(id, listener) {
      events.on(id, listener);
      return () => events.off(id, listener);
    },
  };
}
