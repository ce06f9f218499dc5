/**
 * The endpoints under fuzz, each with a builder for a VALID base request made from live state
 * (a fresh client assertion, a live code, refresh token, login, request object…), the parts of
 * the request that are security-relevant, what "issued" means for it (a token, a code, a login,
 * a request object, a login outcome) and what a successful base answer looks like.
 */
import { createPublicKey } from 'node:crypto';
import { createMachineTokenRequest } from '@dome-verifier/client';
import { signJws } from '@dome-verifier/core';
import { generateP256 } from '@dome-verifier/dev-issuer';
import type { RawResponse } from './http.ts';
import type { FuzzRequest, Param, Relevance } from './model.ts';
import { vpTokenJwt } from './model.ts';
import { commonBenign, decodeJwt, type Claims, type Layer } from './jwt.ts';
import { CALLBACK, REVOKED_ID, type FuzzWorld } from './fuzz-world.ts';

export interface Base {
  req: FuzzRequest;
  jwts: Record<string, { layer: Layer; encoding: 'compact' | 'base64url' }>;
  relevance: Relevance;
}

export interface Target {
  name: string;
  weight: number;
  /** The endpoint answers JSON (errors must be RFC 6749 JSON bodies). */
  json: boolean;
  build(): Promise<Base>;
  /** The answer hands out something (or does something) a mutated security-relevant input must never get; `changed` names the changed parts. */
  issued(res: RawResponse, changed: string[]): boolean;
  /** The unmutated base request's answer is what the endpoint gives a valid request. */
  success(res: RawResponse): boolean;
  /** Endpoint-specific invariants on any answer (an error message, or undefined). */
  check?(res: RawResponse, base: Base): string | undefined;
}

const FORM = ['Content-Type', 'application/x-www-form-urlencoded'] as [string, string];
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const params = (o: Record<string, string>): Param[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const json = (res: RawResponse): Record<string, unknown> => {
  try {
    const v = JSON.parse(res.body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const tokenIssued = (res: RawResponse) => res.status === 200 && typeof json(res).access_token === 'string';

export interface Replacements {
  machine: Array<[string, string]>;
  employee: Array<[string, string]>;
}

/** Credentials that a presentation may carry but that must be refused (issued once per run). */
export function replacementCredentials(fw: FuzzWorld): Replacements {
  const { w, user } = fw;
  const p = w.pki;
  const past = new Date(w.clock.now() - 86_400_000);
  const other = generateP256();
  const emp = (o: Record<string, unknown> = {}) => w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' }, ...o });
  return {
    machine: [
      ['expired credential', w.issue({ validUntil: past, validFrom: new Date(past.getTime() - 86_400_000) })],
      ['revoked credential', w.issue({ id: REVOKED_ID })],
      ["another machine's credential", w.issue({ mandatee: { id: other.did } })],
      ['credential under a rogue root', w.issue({ seal: p.rogueSeal, chain: [] })],
      ['credential sealed by another organisation', w.issue({ seal: p.otherSeal })],
      ['employee credential', emp()],
    ],
    employee: [
      ['expired credential', emp({ validUntil: past, validFrom: new Date(past.getTime() - 86_400_000) })],
      ['revoked credential', emp({ id: REVOKED_ID })],
      ["another person's credential", w.issue({ kind: 'employee', mandatee: { id: other.did, firstName: 'Eve', lastName: 'X', email: 'eve@example.org' } })],
      ['credential under a rogue root', emp({ seal: p.rogueSeal, chain: [] })],
      ['machine credential', w.issue({ holder: user })],
    ],
  };
}

export function createTargets(fw: FuzzWorld, extra: { revoke?: boolean; introspect?: boolean }): Target[] {
  const { w, rp, machine } = { ...fw, machine: fw.w.machine };
  const now = () => Math.floor(w.clock.now() / 1000);
  const attackerDid = fw.attacker.did;
  const repl = replacementCredentials(fw);

  const vcLayer: Layer = { name: 'credential', key: w.pki.seal.privateKey, bad: [], benign: [] };
  const vcChild = (): Layer['child'] => ({
    layer: vcLayer,
    get: (p) => ((p.vp as Claims).verifiableCredential as string[])[0]!,
    set: (p, jwt) => void ((p.vp as Claims).verifiableCredential = [jwt]),
  });
  const setVc = (jwt: string) => (p: Claims) => void ((p.vp as Claims).verifiableCredential = [jwt]);
  const timeBad = (): Layer['bad'] => [
    ['exp in the past', (p) => void (p.exp = now() - 3600)],
    ['nbf in the future', (p) => void (p.nbf = now() + 3600)],
    ['iat in the future', (p) => void (p.iat = now() + 3600)],
  ];
  const machineVp: Layer = {
    name: 'presentation',
    key: machine.privateKey,
    child: vcChild(),
    bad: [
      ...timeBad(),
      ['no credential', (p) => void ((p.vp as Claims).verifiableCredential = [])],
      ['credential not a JWT', (p) => void ((p.vp as Claims).verifiableCredential = ['not-a-jwt'])],
      ...repl.machine.map(([n, vc]) => [n, setVc(vc)] as [string, (p: Claims) => void]),
    ],
    benign: [['fresh jti', (p) => void (p.jti = `urn:uuid:${crypto.randomUUID()}`)]],
  };
  const assertionBad = (): Layer['bad'] => [
    ['iss is the attacker', (p) => void (p.iss = attackerDid)],
    ['sub is the attacker', (p) => void (p.sub = attackerDid)],
    ['aud is another server', (p) => void (p.aud = 'https://evil.example')],
    ['exp long past', (p) => void (p.exp = now() - 3600)],
    ['exp a day ahead', (p) => void (p.exp = now() + 86_400)],
    ['iat in the future', (p) => void (p.iat = now() + 3600)],
    ['nbf in the future', (p) => void (p.nbf = now() + 3600)],
    ['no jti', (p) => void delete p.jti],
    ['no exp', (p) => void delete p.exp],
  ];
  const machineAssertion: Layer = {
    name: 'client assertion',
    key: machine.privateKey,
    child: {
      layer: machineVp,
      get: (p) => Buffer.from(String(p.vp_token), 'base64').toString('utf8'),
      set: (p, jwt) => void (p.vp_token = Buffer.from(jwt).toString('base64')),
    },
    bad: [...assertionBad(), ['no vp_token', (p) => void delete p.vp_token]],
    benign: [
      ['fresh jti', (p) => void (p.jti = crypto.randomUUID())],
      ['vp_token as base64url', (p) => void (p.vp_token = Buffer.from(String(p.vp_token), 'base64').toString('base64url'))],
      ['vp_token as the compact JWT', (p) => void (p.vp_token = Buffer.from(String(p.vp_token), 'base64').toString('utf8'))],
    ],
  };
  const rpAssertion: Layer = { name: 'client assertion', key: rp.privateKey, bad: assertionBad(), benign: [['fresh jti', (p) => void (p.jti = crypto.randomUUID())]] };
  const walletVp: Layer = {
    name: 'wallet presentation',
    key: fw.user.privateKey,
    child: vcChild(),
    bad: [
      ...timeBad(),
      ['nonce of another login', (p) => void (p.nonce = crypto.randomUUID())],
      ['no nonce', (p) => void delete p.nonce],
      ['aud is another verifier', (p) => void (p.aud = 'https://evil.example')],
      ['no credential', (p) => void ((p.vp as Claims).verifiableCredential = [])],
      ...repl.employee.map(([n, vc]) => [n, setVc(vc)] as [string, (p: Claims) => void]),
    ],
    benign: [['fresh jti', (p) => void (p.jti = `urn:uuid:${crypto.randomUUID()}`)]],
  };
  const requestObjectLayer: Layer = {
    name: 'request object',
    key: rp.privateKey,
    bad: [
      ['client_id is the attacker', (p) => void (p.client_id = attackerDid)],
      ['iss is the attacker', (p) => void (p.iss = attackerDid)],
      ['aud is another server', (p) => void (p.aud = 'https://evil.example')],
      ['expired', (p) => void (p.exp = now() - 3600)],
      ['no exp', (p) => void delete p.exp],
      ['redirect_uri of the attacker', (p) => void (p.redirect_uri = 'https://evil.example/cb')],
      ['response_type token', (p) => void (p.response_type = 'token')],
      ['nested request_uri', (p) => void (p.request_uri = 'https://rp.example/r')],
      ['nested request', (p) => void (p.request = 'eyJhbGciOiJub25lIn0.e30.')],
      ['PKCE plain', (p) => void (p.code_challenge_method = 'plain')],
    ],
    benign: [
      ['another state', (p) => void (p.state = `st-${crypto.randomUUID()}`)],
      ['another nonce', (p) => void (p.nonce = crypto.randomUUID())],
    ],
  };
  void commonBenign;

  const tokenRel = (names: string[]): Relevance => ({ params: ['grant_type', 'client_assertion', 'client_assertion_type', 'client_id', ...names], removable: ['client_id'], headers: ['authorization'] });
  const post = (path: string, form: Record<string, string>): FuzzRequest => ({ method: 'POST', path, headers: [FORM], form: params(form) });
  const get = (path: string, query?: Record<string, string>, cookie?: string): FuzzRequest => ({ method: 'GET', path, ...(query ? { query: params(query) } : {}), headers: cookie ? [['Cookie', cookie]] : [] });
  const rpAuth = () => ({ client_id: rp.did, client_assertion_type: ASSERTION_TYPE, client_assertion: fw.clientAssertion(rp) });
  const authorizeRel: Relevance = { params: ['client_id', 'redirect_uri', 'response_type', 'request', 'request_uri', 'code_challenge_method'], removable: ['code_challenge_method'] };
  const loginCreated = (res: RawResponse) => res.status === 302 && /^(https?:\/\/[^/]+)?\/login\?/.test(res.headers.location ?? '') && res.setCookies.length > 0;
  const authorizeCheck = (res: RawResponse): string | undefined => {
    if (res.status >= 300 && res.status < 400) {
      const loc = res.headers.location ?? '';
      const target = new URL(loc, w.issuer);
      const ok = (target.origin === w.issuer && target.pathname === '/login') || loc.startsWith(`${CALLBACK}?`);
      if (!ok) return `redirect to an unregistered place: ${loc.slice(0, 120)}`;
    }
    return undefined;
  };

  const requestObject = (claims: Claims = {}) =>
    signJws({ alg: 'ES256', kid: rp.did, typ: 'oauth-authz-req+jwt' }, { iss: rp.did, aud: w.issuer, client_id: rp.did, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid learcredential', state: `st-${crypto.randomUUID()}`, nonce: 'n-ro', iat: now(), exp: now() + 300, ...claims }, rp.privateKey);

  const targets: Target[] = [
    {
      name: 'token:client_credentials',
      weight: 6,
      json: true,
      async build() {
        const req = await createMachineTokenRequest({ issuer: w.issuer, key: machine.privateKey, credential: fw.machineVc, now: () => w.clock.now() });
        return { req: post('/oidc/token', Object.fromEntries(req.body)), jwts: { client_assertion: { layer: machineAssertion, encoding: 'compact' } }, relevance: tokenRel([]) };
      },
      issued: tokenIssued,
      success: tokenIssued,
    },
    {
      name: 'token:authorization_code',
      weight: 4,
      json: true,
      async build() {
        const login = await fw.completeLogin();
        return {
          req: post('/oidc/token', { grant_type: 'authorization_code', code: login.code, redirect_uri: CALLBACK, code_verifier: login.verifier, ...rpAuth() }),
          jwts: { client_assertion: { layer: rpAssertion, encoding: 'compact' } },
          relevance: tokenRel(['code', 'redirect_uri', 'code_verifier']),
        };
      },
      issued: tokenIssued,
      success: tokenIssued,
    },
    {
      name: 'token:refresh_token',
      weight: 3,
      json: true,
      async build() {
        const rt = await fw.refreshToken();
        return { req: post('/oidc/token', { grant_type: 'refresh_token', refresh_token: rt, ...rpAuth() }), jwts: { client_assertion: { layer: rpAssertion, encoding: 'compact' } }, relevance: tokenRel(['refresh_token']) };
      },
      issued: tokenIssued,
      success: tokenIssued,
    },
    {
      name: 'authorize:GET',
      weight: 3,
      json: false,
      async build() {
        return { req: get('/oidc/authorize', fw.authorizeParams().params), jwts: {}, relevance: authorizeRel };
      },
      issued: loginCreated,
      success: loginCreated,
      check: authorizeCheck,
    },
    {
      name: 'authorize:POST',
      weight: 2,
      json: false,
      async build() {
        return { req: post('/oidc/authorize', fw.authorizeParams().params), jwts: {}, relevance: authorizeRel };
      },
      issued: loginCreated,
      success: loginCreated,
      check: authorizeCheck,
    },
    {
      name: 'authorize:request-object',
      weight: 3,
      json: false,
      async build() {
        return {
          // Outer parameters as RFC 9101 §5 requires them (client_id, response_type): without the request object the request is incomplete.
          req: get('/oidc/authorize', { client_id: rp.did, response_type: 'code', request: requestObject() }),
          jwts: { request: { layer: requestObjectLayer, encoding: 'compact' } },
          // The request object's parameters win over the outer ones (RFC 9101 §6.3): an outer response_type change is irrelevant.
          relevance: { params: ['client_id', 'request', 'request_uri', 'redirect_uri'] },
        };
      },
      issued: loginCreated,
      success: loginCreated,
      check: authorizeCheck,
    },
    {
      name: 'oid4vp:auth-request',
      weight: 2,
      json: true,
      async build() {
        const login = await fw.startLogin();
        return { req: get(login.requestPath), jwts: {}, relevance: { params: [], pathSecret: login.requestPath.slice(login.requestPath.lastIndexOf('/') + 1) } };
      },
      issued: (res) => res.status === 200 && res.body.split('.').length === 3,
      success: (res) => res.status === 200 && /oauth-authz-req\+jwt/.test(res.headers['content-type'] ?? ''),
    },
    {
      name: 'oid4vp:auth-response',
      weight: 5,
      json: true,
      async build() {
        const login = await fw.startLogin();
        const { form } = await fw.walletForm(login);
        return { req: post('/oid4vp/auth-response', form), jwts: { vp_token: { layer: walletVp, encoding: 'base64url' } }, relevance: { params: ['state', 'vp_token'], canonical: { vp_token: vpTokenJwt } } };
      },
      issued: (res) => res.status === 200,
      success: (res) => res.status === 200,
    },
    {
      name: 'login:page',
      weight: 2,
      json: false,
      async build() {
        const login = await fw.startLogin();
        const [path, query = ''] = login.location.split('?') as [string, string?];
        return { req: { method: 'GET', path, query: [...new URLSearchParams(query)].map(([name, value]) => ({ name, value })), headers: [['Cookie', login.cookiePair]] }, jwts: {}, relevance: { params: [] } };
      },
      issued: () => false,
      success: (res) => res.status === 200 && /text\/html/.test(res.headers['content-type'] ?? ''),
      check(res, base) {
        // Only this verifier's own pending login may be rendered: never a wallet link from the query.
        const own = base.req.query?.find((p) => p.name === 'authRequest')?.value;
        const links = [...res.body.matchAll(/openid4vp:\/\/[^"'<>\s]*/g)].map((m) => m[0].replace(/&amp;/g, '&'));
        const foreign = links.filter((l) => own === undefined || l !== own);
        return foreign.length > 0 ? `the login page renders a wallet request that is not the login's own: ${foreign[0]!.slice(0, 100)}` : undefined;
      },
    },
    {
      name: 'login:status',
      weight: 2,
      json: true,
      async build() {
        const login = await fw.completeLogin();
        return { req: get('/api/login/status', { state: login.state }, login.cookiePair), jwts: {}, relevance: { params: ['state'], cookie: login.cookiePair } };
      },
      issued: (res) => res.status === 200 && /code=/.test(res.body),
      success: (res) => res.status === 200 && typeof json(res).redirect_to === 'string',
    },
    {
      name: 'login:events',
      weight: 2,
      json: true,
      async build() {
        const login = await fw.completeLogin();
        return { req: get('/api/login/events', { state: login.state }, login.cookiePair), jwts: {}, relevance: { params: ['state'], cookie: login.cookiePair } };
      },
      issued: (res) => res.status === 200 && /event: redirect/.test(res.body),
      success: (res) => res.status === 200 && /event: redirect\ndata: .*code=/.test(res.body),
    },
    ...(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oidc/jwks', `/oidc/did/${rp.did}`, '/health', '/metrics'] as const).map(
      (path): Target => ({
        name: `GET ${path.startsWith('/oidc/did/') ? '/oidc/did/{did}' : path}`,
        weight: 1,
        json: path !== '/metrics',
        async build() {
          return { req: get(path), jwts: {}, relevance: { params: [] } };
        },
        issued: () => false,
        success: (res) => res.status === 200,
      }),
    ),
  ];
  if (extra.introspect || extra.revoke) {
    for (const [kind, path] of [['introspect', '/oidc/introspect'], ['revoke', '/oidc/revoke']] as const) {
      if (!extra[kind]) continue;
      targets.push({
        name: `token:${kind}`,
        weight: 2,
        json: true,
        async build() {
          const rt = await fw.refreshToken();
          return { req: post(path, { token: rt, token_type_hint: 'refresh_token', ...rpAuth() }), jwts: { client_assertion: { layer: rpAssertion, encoding: 'compact' } }, relevance: { params: ['client_assertion', 'client_assertion_type', 'client_id', 'token'], removable: ['client_id'], headers: ['authorization'] } };
        },
        // Introspection never reports a mutated token (or a token to a mutated client) active;
        // revocation answers 200 for any token (RFC 7009 §2.2) but only to an authenticated client.
        issued: (res, changed) => res.status === 200 && (kind === 'introspect' ? json(res).active === true : changed.some((c) => !c.endsWith('.token'))),
        success: (res) => res.status === 200 && (kind === 'revoke' || json(res).active === true),
      });
    }
  }
  return targets;
}

export function attackerKey(fw: FuzzWorld): { key: import('node:crypto').KeyObject; did: string; jwk: Claims } {
  return { key: fw.attacker.privateKey, did: fw.attacker.did, jwk: createPublicKey(fw.attacker.privateKey).export({ format: 'jwk' }) as Claims };
}

export { decodeJwt };
