/**
 * A world with one relying party (did:key client, authorization_code + refresh_token) and one
 * employee credential, and a helper that runs a complete wallet login and returns its code —
 * for tests about what happens after the login (code and refresh exchanges, revocation,
 * introspection).
 */
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World, type WorldOptions } from './world.ts';
import { browserRedirect, codeForm, refreshForm, startLogin, walletAnswer } from './h2m.ts';

export const RP_CALLBACK = 'https://rp.example/callback';

export interface RpWorld {
  w: World;
  rp: MachineClient;
  user: MachineClient;
  employee: string;
  /** A complete wallet login on `on` (default: this world); returns the authorization code. `params` override the RP's authorize parameters. */
  loginCode(on?: World, params?: Record<string, string>): Promise<string>;
  /** Redeems a fresh login's code and returns the token response (asserted 200). */
  session(on?: World): Promise<Record<string, unknown>>;
  codeForm(code: string, on?: World): URLSearchParams;
  refreshForm(refreshToken: string, on?: World, client?: MachineClient): URLSearchParams;
}

export function rpClientEntry(rp: MachineClient, issuer = 'https://verifier.test'): Record<string, unknown> {
  return trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: issuer, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [RP_CALLBACK] });
}

/** `rp` may be given to share one relying party between several worlds (replicas). */
export async function createRpWorld(options: WorldOptions & { rp?: MachineClient; user?: MachineClient } = {}): Promise<RpWorld> {
  const rp = options.rp ?? newMachine();
  const user = options.user ?? newMachine();
  const w = await createWorld({ ...options, clients: [rpClientEntry(rp), ...(options.clients ?? [])] });
  const employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
  const self: RpWorld = {
    w,
    rp,
    user,
    employee,
    async loginCode(on = w, params = {}) {
      const login = await startLogin(on, { client_id: rp.did, redirect_uri: RP_CALLBACK, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}`, nonce: 'n-1', ...params });
      const answer = await walletAnswer(on, login, user, employee);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      return new URL((await browserRedirect(on, login))!).searchParams.get('code')!;
    },
    async session(on = w) {
      const res = await on.post(self.codeForm(await self.loginCode(on), on));
      assert.equal(res.status, 200, JSON.stringify(res.json));
      return res.json;
    },
    codeForm: (code, on = w) => codeForm(rp, code, RP_CALLBACK, on),
    refreshForm: (refreshToken, on = w, client = rp) => refreshForm(client, refreshToken, on),
  };
  return self;
}

export type Res = Awaited<ReturnType<World['post']>>;

/** One 200 with tokens and one invalid_grant "already used"; returns the winner. */
export function oneWinnerOneReuse(results: Res[]): Res {
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 400], JSON.stringify(results.map((r) => r.json.error ?? 'tokens')));
  const winner = results.find((r) => r.status === 200)!;
  const loser = results.find((r) => r.status === 400)!;
  assert.equal(loser.json.error, 'invalid_grant');
  assert.match(String(loser.json.error_description), /already used/);
  assert.equal(loser.json.access_token, undefined);
  assert.equal(typeof winner.json.refresh_token, 'string');
  return winner;
}

/** The winner's refresh token is refused: its family was revoked by the reuse. */
export async function refreshRefused(s: RpWorld, refreshToken: unknown): Promise<void> {
  const res = await s.w.post(s.refreshForm(String(refreshToken)));
  assert.equal(res.status, 400, `the winner's refresh token must be refused after the reuse (got ${res.status})`);
  assert.equal(res.json.error, 'invalid_grant');
  assert.equal(res.json.access_token, undefined);
}
