/**
 * Caps on pending logins (issue #9 item 8). `/oidc/authorize` is unauthenticated and each
 * accepted call stores a login session and a request object (≈ 3–4 KB) for the login lifetime;
 * without a cap a flood fills the memory store (or Redis, and then every request that needs the
 * store — M2M included — is refused). So a login must first take a slot:
 *
 * - at most `maxPending` logins pending in total → beyond, 503 `ERR_LOGIN_CAPACITY`;
 * - at most `maxPendingPerClient` per `client_id` → 429 `ERR_LOGIN_RATE_LIMITED`;
 * - at most `maxPendingPerIp` per source address (`request.ip`; IPv6 by /64, since one host
 *   commonly holds a whole /64) → 429 `ERR_LOGIN_RATE_LIMITED`;
 *
 * each with `Retry-After` = the seconds until the oldest slot in the way expires. A slot is held
 * for the login lifetime whether or not the login is answered (the wallet's answer may land on
 * another replica), and released at once when the login could not be created.
 *
 * Counting is in process, per replica: N replicas admit up to N × the caps in total (the caps
 * bound each replica's memory and its share of Redis). Expiry follows the injected clock.
 * Memory is bounded by `maxPending` entries.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock } from '../../ports/clock.ts';
import { VerifierError } from '../../errors/verifier-error.ts';

export interface LoginAdmissionLimits {
  maxPending: number;
  maxPendingPerClient: number;
  maxPendingPerIp: number;
}

export type LoginRefusal = 'capacity' | 'client' | 'ip';

/** A taken slot; `release` gives it back early (the login was not created). Idempotent. */
export interface LoginSlot {
  release(): void;
}

export interface LoginAdmission {
  /** Takes a slot for a login of `clientId` from `ip`, or throws the refusal (nothing counted). */
  admit(clientId: string, ip: string | undefined): LoginSlot;
  /** Slots currently held (after dropping expired ones). */
  pending(): number;
}

/**
 * The per-address key: an IPv4 address as is (also when IPv4-mapped, `::ffff:a.b.c.d`), an IPv6
 * address as its /64 prefix (`2001:db8:1:2::/64`), anything else unchanged.
 */
export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, '').toLowerCase();
  if (isIPv4(address) || !isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  const hextets = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const left = hextets(head);
  const right = tail === undefined ? [] : hextets(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

interface Entry {
  readonly expiresAt: number;
  readonly client: string;
  readonly ip: string | undefined;
  live: boolean;
}

/** FIFO with a moving head (the lifetime is fixed, so expiry order = insertion order). */
class Queue {
  private items: (Entry | undefined)[] = [];
  private head = 0;
  /** Entries not yet released or expired. */
  live = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(e: Entry): void {
    this.items.push(e);
    this.live++;
  }
  peek(): Entry | undefined {
    return this.items[this.head];
  }
  shift(): void {
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  /** Drops released entries at the head, so that `peek()` is the oldest live entry. */
  trim(): void {
    for (let e = this.peek(); e && !e.live; e = this.peek()) this.shift();
  }
}

export function createLoginAdmission(limits: LoginAdmissionLimits, clock: Clock, lifetimeMs: number, onRefused?: (reason: LoginRefusal) => void): LoginAdmission {
  const all = new Queue();
  const byClient = new Map<string, Queue>();
  const byIp = new Map<string, Queue>();

  const leave = (map: Map<string, Queue>, key: string) => {
    const q = map.get(key);
    if (!q) return;
    q.live--;
    if (q.live === 0) map.delete(key);
    else q.trim();
  };
  const drop = (e: Entry) => {
    if (!e.live) return;
    e.live = false;
    all.live--;
    leave(byClient, e.client);
    if (e.ip !== undefined) leave(byIp, e.ip);
  };
  const expire = (now: number) => {
    for (let e = all.peek(); e && (!e.live || e.expiresAt <= now); e = all.peek()) {
      all.shift();
      drop(e);
    }
  };
  const join = (map: Map<string, Queue>, key: string, e: Entry) => {
    let q = map.get(key);
    if (!q) map.set(key, (q = new Queue()));
    q.push(e);
  };
  const refuse = (reason: LoginRefusal, oldest: Entry | undefined, now: number): never => {
    onRefused?.(reason);
    const retryAfterSeconds = oldest ? (oldest.expiresAt - now) / 1000 : 1;
    if (reason === 'capacity') throw new VerifierError('ERR_LOGIN_CAPACITY', 'too many logins are in progress; try again later', { retryAfterSeconds });
    const who = reason === 'client' ? 'of this client' : 'from this address';
    throw new VerifierError('ERR_LOGIN_RATE_LIMITED', `too many logins ${who} are in progress; try again later`, { retryAfterSeconds });
  };

  return {
    admit(clientId, source) {
      const ip = source === undefined ? undefined : addressKey(source);
      const now = clock.now();
      expire(now);
      const ipQ = ip === undefined ? undefined : byIp.get(ip);
      if (ipQ && ipQ.live >= limits.maxPendingPerIp) refuse('ip', ipQ.peek(), now);
      const clientQ = byClient.get(clientId);
      if (clientQ && clientQ.live >= limits.maxPendingPerClient) refuse('client', clientQ.peek(), now);
      if (all.live >= limits.maxPending) refuse('capacity', all.peek(), now);
      const entry: Entry = { expiresAt: now + lifetimeMs, client: clientId, ip, live: true };
      all.push(entry);
      join(byClient, clientId, entry);
      if (ip !== undefined) join(byIp, ip, entry);
      return { release: () => drop(entry) };
    },
    pending() {
      expire(clock.now());
      return all.live;
    },
  };
}
