/**
 * The fuzz engine: starts the real verifier with a complete trust world, then for each case
 * (its own PRNG stream from seed and case number, so any case replays alone) picks an
 * endpoint, builds a valid base request from live state, mutates it (or, for control cases,
 * sends it unmutated), sends it over a real socket and applies the oracle:
 *
 * - no hang (an answer within the per-request timeout), no 5xx except a documented 503
 *   (`temporarily_unavailable` with Retry-After);
 * - a JSON endpoint answers errors with an RFC 6749 JSON body (a request refused by the HTTP
 *   parser itself, for wire-level mutations, may get node's bare 4xx or a closed connection);
 * - a mutation that changes a security-relevant part (classified by its effect on what the
 *   server parses) never gets a token, code, login, request object or login outcome;
 * - control cases (unmutated base requests) must succeed, so the oracle cannot hold vacuously;
 * - endpoint invariants (authorize redirects only to /login or the registered redirect_uri;
 *   the login page renders only the login's own wallet request).
 */
import { send, serialize, type RawResponse } from './http.ts';
import { Rng } from './prng.ts';
import { clone, relevantChanges, serverView, toRaw } from './model.ts';
import { mutate, type Mutation } from './mutate.ts';
import { createFuzzWorld, type FuzzWorld } from './fuzz-world.ts';
import { attackerKey, createTargets, type Target } from './targets.ts';

export interface FuzzOptions {
  seed: number;
  cases: number;
  store: 'memory' | 'redis';
  redisUrl?: string;
  /** Only endpoints whose name contains this string. */
  endpoint?: string;
  /** Run only this case number (replay). */
  only?: number;
  timeoutMs: number;
  /** Progress and failure lines. */
  log?: (line: string) => void;
  /** Extra verifier config (VERIFIER_… env). */
  env?: Record<string, string>;
  /** Print each request's bytes and answer (with --case, to look at one failure). */
  dump?: boolean;
}

export interface Failure {
  case: number;
  endpoint: string;
  control: boolean;
  mutations: string[];
  problem: string;
  status?: number;
  body?: string;
  replay: string;
}

export interface EndpointStats {
  cases: number;
  controls: number;
  controlsOk: number;
  /** Mutated cases whose mutation changed a security-relevant part. */
  relevant: number;
  /** Mutated cases with only irrelevant changes, and how many of those still succeeded. */
  irrelevant: number;
  irrelevantIssued: number;
}

export interface Summary {
  seed: number;
  store: string;
  cases: number;
  ms: number;
  endpoints: Record<string, EndpointStats>;
  statuses: Record<string, number>;
  failures: Failure[];
}

const WIRE_STATUSES = new Set([400, 408, 413, 414, 431, 501, 505]);

function replayCommand(o: FuzzOptions, i: number): string {
  return `npm run fuzz -- --seed ${o.seed} --case ${i}${o.endpoint ? ` --endpoint '${o.endpoint}'` : ''}${o.store === 'redis' ? ' --store redis' : ''}`;
}

function oracle(t: Target, res: RawResponse | undefined, outcome: { kind: string }, ctx: { control: boolean; changed: string[]; mutations: Mutation[]; halfClose: boolean; head: boolean }, base: Parameters<NonNullable<Target['check']>>[1], timeoutMs: number): string | undefined {
  const wire = ctx.mutations.some((m) => m.category === 'wire');
  if (outcome.kind === 'timeout') return `no answer within ${timeoutMs} ms (hang)`;
  if (!res) return wire || ctx.halfClose ? undefined : 'connection closed without an answer';
  if (res.status >= 500) {
    if (res.status !== 503) return `${res.status} answer`;
    if (!res.headers['retry-after']) return '503 without Retry-After';
    if (t.json || /json/.test(res.headers['content-type'] ?? '')) {
      let error: unknown;
      try {
        error = (JSON.parse(res.body) as { error?: unknown }).error;
      } catch {
        /* checked below */
      }
      if (error !== 'temporarily_unavailable') return `503 that is not temporarily_unavailable: ${res.body.slice(0, 200)}`;
    }
  }
  if (t.json && res.status >= 400 && !ctx.head) {
    const bare = !res.headers['content-type'] && res.body === '' && WIRE_STATUSES.has(res.status);
    if (!(bare && wire)) {
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        return `error answer is not JSON (content-type ${res.headers['content-type'] ?? 'none'}): ${res.body.slice(0, 120)}`;
      }
      const b = body as { error?: unknown; error_description?: unknown };
      if (!/application\/json/.test(res.headers['content-type'] ?? '')) return `error answer with content-type ${res.headers['content-type'] ?? 'none'}`;
      if (typeof b.error !== 'string' || b.error === '' || (b.error_description !== undefined && typeof b.error_description !== 'string')) return `error answer is not an OAuth error body: ${res.body.slice(0, 120)}`;
    }
  }
  if (!ctx.control && ctx.changed.length > 0 && t.issued(res, ctx.changed)) return `issued for a security-relevant mutation (changed: ${ctx.changed.join(', ')})`;
  if (ctx.control && !t.success(res)) return `the unmutated base request did not succeed (${res.status}: ${res.body.slice(0, 200)})`;
  return t.check?.(res, base);
}

export async function runFuzz(o: FuzzOptions): Promise<Summary> {
  const log = o.log ?? (() => undefined);
  const t0 = performance.now();
  let store: (import('@dome-verifier/store-redis').RedisStore) | undefined;
  let prefix = '';
  if (o.store === 'redis') {
    if (!o.redisUrl) throw new Error('--store redis needs REDIS_URL');
    const { createRedisStore } = await import('@dome-verifier/store-redis');
    const { uniquePrefix } = await import('@dome-verifier/store-redis/testing');
    prefix = uniquePrefix('fuzz');
    store = await createRedisStore({ url: o.redisUrl, keyPrefix: prefix });
  }
  let fw: FuzzWorld | undefined;
  const summary: Summary = { seed: o.seed, store: o.store, cases: 0, ms: 0, endpoints: {}, statuses: {}, failures: [] };
  try {
    fw = await createFuzzWorld({ ...(store ? { store } : {}), ...(o.env ? { env: o.env } : {}) });
    const discovery = (await (await fetch(fw.url('/.well-known/openid-configuration'))).json()) as Record<string, unknown>;
    const all = createTargets(fw, { revoke: typeof discovery.revocation_endpoint === 'string', introspect: typeof discovery.introspection_endpoint === 'string' });
    const targets = all.filter((t) => !o.endpoint || t.name.includes(o.endpoint));
    if (targets.length === 0) throw new Error(`no endpoint matches ${o.endpoint}; endpoints: ${all.map((t) => t.name).join(', ')}`);
    const ctxAttacker = attackerKey(fw);
    const first = o.only ?? 0;
    const last = o.only !== undefined ? o.only + 1 : o.cases;
    for (let i = first; i < last; i++) {
      const rng = new Rng(o.seed, i);
      // The first cases send every endpoint's base request unmutated; then one case in ten is a control.
      const control = i < targets.length || rng.chance(0.1);
      const t = i < targets.length ? targets[i]! : rng.weighted(targets.map((x) => [x.weight, x] as const));
      const stats = (summary.endpoints[t.name] ??= { cases: 0, controls: 0, controlsOk: 0, relevant: 0, irrelevant: 0, irrelevantIssued: 0 });
      stats.cases++;
      summary.cases++;
      const fail = (problem: string, extra: { mutations?: string[]; status?: number; body?: string } = {}) => {
        const f: Failure = { case: i, endpoint: t.name, control, mutations: extra.mutations ?? [], problem, ...(extra.status !== undefined ? { status: extra.status } : {}), ...(extra.body !== undefined ? { body: extra.body.slice(0, 300) } : {}), replay: replayCommand(o, i) };
        summary.failures.push(f);
        log(`FAIL case ${i} ${t.name}${control ? ' (control)' : ''}: ${problem}\n  mutations: ${f.mutations.join(' | ') || 'none'}\n  replay: ${f.replay}`);
      };
      let base;
      try {
        base = await t.build();
      } catch (e) {
        fail(`could not build the base request: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      const req = clone(base.req);
      const benign = new Map<string, string>();
      let mutations: Mutation[];
      try {
        mutations = control ? [] : mutate(rng, req, { jwts: base.jwts, attacker: ctxAttacker, benign });
      } catch (e) {
        fail(`the fuzzer failed to mutate the request: ${e instanceof Error ? e.stack : String(e)}`);
        continue;
      }
      const bv = serverView(base.req);
      const mv = serverView(req);
      // A parameter changed by a benign, legitimately re-signed JWT mutation counts as unchanged if that is its final value.
      for (const [name, value] of benign) for (const where of [mv.query, mv.body]) if (JSON.stringify(where.get(name)) === JSON.stringify([value])) where.set(name, bv.body.get(name) ?? bv.query.get(name) ?? []);
      const changed = control ? [] : relevantChanges(bv, mv, base.relevance);
      const outcome = await send(fw.port, toRaw(req), o.timeoutMs);
      const res = outcome.kind === 'response' ? outcome.response : undefined;
      if (o.dump) {
        const bytes = serialize(toRaw(req), fw.port);
        log(`--- case ${i} request (${bytes.length} bytes):\n${JSON.stringify(bytes.toString('latin1').slice(0, 3000))}\n--- answer: ${res ? `${res.status} ${JSON.stringify(res.headers)}\n${res.body.slice(0, 2000)}` : outcome.kind}`);
      }
      const key = res ? String(res.status) : outcome.kind;
      summary.statuses[key] = (summary.statuses[key] ?? 0) + 1;
      if (control) stats.controls++;
      else if (changed.length > 0) stats.relevant++;
      else {
        stats.irrelevant++;
        if (res && t.success(res)) stats.irrelevantIssued++;
      }
      const problem = oracle(t, res, outcome, { control, changed, mutations, halfClose: !!req.halfClose, head: req.method.toUpperCase() === 'HEAD' }, base, o.timeoutMs);
      if (problem) fail(problem, { mutations: mutations.map((m) => m.description), ...(res ? { status: res.status, body: res.body } : {}) });
      else if (control) stats.controlsOk++;
      if ((i + 1) % 500 === 0) log(`… ${i + 1} cases, ${summary.failures.length} failures`);
    }
  } finally {
    await fw?.close();
    if (store) {
      await store.close();
      const { deleteKeys } = await import('@dome-verifier/store-redis/testing');
      await deleteKeys(o.redisUrl!, prefix);
    }
    summary.ms = Math.round(performance.now() - t0);
  }
  return summary;
}

export function formatSummary(s: Summary): string {
  const lines = [`fuzz: seed ${s.seed}, store ${s.store}, ${s.cases} cases in ${(s.ms / 1000).toFixed(1)} s, ${s.failures.length} failures`];
  lines.push('endpoint                                   cases  controls ok  relevant  irrelevant (succeeded)');
  for (const [name, e] of Object.entries(s.endpoints).sort()) {
    lines.push(`${name.padEnd(42)} ${String(e.cases).padStart(5)}  ${String(e.controls).padStart(5)} ${String(e.controlsOk).padStart(4)}  ${String(e.relevant).padStart(8)}  ${String(e.irrelevant).padStart(10)} (${e.irrelevantIssued})`);
  }
  lines.push(`statuses: ${Object.entries(s.statuses).sort().map(([k, v]) => `${k}×${v}`).join('  ')}`);
  const byProblem = new Map<string, number>();
  for (const f of s.failures) byProblem.set(`${f.endpoint}: ${f.problem.replace(/\d+/g, 'N').slice(0, 100)}`, (byProblem.get(`${f.endpoint}: ${f.problem.replace(/\d+/g, 'N').slice(0, 100)}`) ?? 0) + 1);
  for (const [p, n] of byProblem) lines.push(`  ${n}× ${p}`);
  for (const f of s.failures.slice(0, 20)) lines.push(`  case ${f.case} ${f.endpoint}: ${f.problem}\n    mutations: ${f.mutations.join(' | ') || 'none (control)'}\n    replay: ${f.replay}`);
  return lines.join('\n');
}
