/**
 * A tiny relying party on 127.0.0.1 for the browser tests (node:http):
 *
 * - `GET /start?client=<name>` — new state, nonce and PKCE pair; 302 to the verifier's
 *   `/oidc/authorize`, either plain OIDC or, for a JAR client, the DOME-marketplace shape
 *   (client_id, response_type, scope, request_uri, state, nonce outside; everything signed inside);
 * - `GET /request.jwt?id=<state>` — the signed request object of that login (JAR by reference);
 * - `GET /jwks` — the public JWKS of the Keycloak-style client (EC P-256 with a kid);
 * - `GET /callback` — records the authorization response and answers a small "RP callback" page.
 *
 * The code exchange and refresh are functions the test calls (`exchangeCode`, `refresh`), with
 * the client's own authentication: a did:key client assertion, a JWKS-key assertion with `kid`
 * (audience = token endpoint, as Keycloak sends it), or none + PKCE.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { signJws, type JwsHeader } from '@dome-verifier/core';

export type ClientAuth =
  | { kind: 'did-key'; key: KeyObject }
  | { kind: 'jwks'; key: KeyObject; kid: string }
  | { kind: 'none' };

export interface RpClient {
  /** Short name used in `/start?client=`. */
  name: string;
  clientId: string;
  /** `jar` = request object by reference (`request_uri`), `plain` = query parameters. */
  mode: 'jar' | 'plain';
  scope: string;
  auth: ClientAuth;
}

export interface Flow {
  client: RpClient;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The authorize URL /start redirected to. */
  authorizeUrl: string;
  /** Compact request object (JAR clients). */
  requestObject?: string;
  requestObjectFetches: number;
  /** Query of the authorization response, once the browser reached /callback. */
  callback?: URLSearchParams;
}

export interface TokenAnswer {
  status: number;
  json: Record<string, unknown>;
}

export interface Rp {
  origin: string;
  callbackUrl: string;
  jwksUrl: string;
  /** The verifier this RP logs in with (set once the world is up). */
  issuer: string;
  startUrl(clientName: string): string;
  register(client: RpClient): void;
  /** The JWKS served at /jwks (public parts only). */
  setJwks(keys: Array<Record<string, unknown>>): void;
  flow(state: string): Flow | undefined;
  /** The flow most recently started for a client. */
  lastFlow(clientName: string): Flow | undefined;
  exchangeCode(flow: Flow, code: string): Promise<TokenAnswer>;
  refresh(flow: Flow, refreshToken: string): Promise<TokenAnswer>;
  close(): Promise<void>;
}

const b64url = (n: number) => randomBytes(n).toString('base64url');

export async function startRp(o: { now: () => number }): Promise<Rp> {
  const clients = new Map<string, RpClient>();
  const flows = new Map<string, Flow>();
  const last = new Map<string, Flow>();
  let jwks: Array<Record<string, unknown>> = [];

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const rp: Rp = {
    origin,
    callbackUrl: `${origin}/callback`,
    jwksUrl: `${origin}/jwks`,
    issuer: '',
    startUrl: (name) => `${origin}/start?client=${encodeURIComponent(name)}`,
    register: (c) => void clients.set(c.name, c),
    setJwks: (keys) => {
      jwks = keys;
    },
    flow: (state) => flows.get(state),
    lastFlow: (name) => last.get(name),
    exchangeCode: (flow, code) => tokenRequest(flow.client, { grant_type: 'authorization_code', code, redirect_uri: rp.callbackUrl, code_verifier: flow.codeVerifier }),
    refresh: (flow, refreshToken) => tokenRequest(flow.client, { grant_type: 'refresh_token', refresh_token: refreshToken }),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', origin);
    switch (url.pathname) {
      case '/start': {
        const client = clients.get(url.searchParams.get('client') ?? '');
        if (!client) return void res.writeHead(404).end('unknown client');
        const flow = startFlow(client);
        res.writeHead(302, { location: flow.authorizeUrl, 'cache-control': 'no-store' }).end();
        return;
      }
      case '/request.jwt': {
        const flow = flows.get(url.searchParams.get('id') ?? '');
        if (!flow?.requestObject) return void res.writeHead(404).end();
        flow.requestObjectFetches++;
        res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt', 'cache-control': 'no-store' }).end(flow.requestObject);
        return;
      }
      case '/favicon.ico':
        res.writeHead(204).end();
        return;
      case '/jwks':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }));
        return;
      case '/callback': {
        const flow = flows.get(url.searchParams.get('state') ?? '');
        if (flow) flow.callback = url.searchParams;
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>RP callback</title></head><body><h1>RP callback</h1></body></html>');
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  }

  function startFlow(client: RpClient): Flow {
    const state = `st-${b64url(12)}`;
    const nonce = `n-${b64url(12)}`;
    const codeVerifier = b64url(32);
    const challenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const authorize = new URL(`${rp.issuer}/oidc/authorize`);
    const flow: Flow = { client, state, nonce, codeVerifier, authorizeUrl: '', requestObjectFetches: 0 };
    if (client.mode === 'jar') {
      if (client.auth.kind !== 'did-key') throw new Error('JAR clients sign with their did:key');
      const iat = Math.floor(o.now() / 1000);
      flow.requestObject = signJws(
        { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: client.clientId },
        {
          iss: client.clientId,
          aud: rp.issuer,
          client_id: client.clientId,
          iat,
          exp: iat + 300,
          response_type: 'code',
          redirect_uri: rp.callbackUrl,
          scope: client.scope,
          state,
          nonce,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        client.auth.key,
      );
      // The DOME marketplace sends these outside the request object as well.
      authorize.search = new URLSearchParams({
        client_id: client.clientId,
        response_type: 'code',
        scope: client.scope,
        request_uri: `${origin}/request.jwt?id=${encodeURIComponent(state)}`,
        state,
        nonce,
      }).toString();
    } else {
      authorize.search = new URLSearchParams({
        client_id: client.clientId,
        response_type: 'code',
        scope: client.scope,
        redirect_uri: rp.callbackUrl,
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString();
    }
    flow.authorizeUrl = authorize.toString();
    flows.set(state, flow);
    last.set(client.name, flow);
    return flow;
  }

  function clientAssertion(client: RpClient): string | undefined {
    const iat = Math.floor(o.now() / 1000);
    const claims = { iss: client.clientId, sub: client.clientId, iat, exp: iat + 60, jti: randomUUID() };
    const auth = client.auth;
    switch (auth.kind) {
      case 'none':
        return undefined;
      case 'did-key':
        return signJws({ alg: 'ES256', typ: 'JWT', kid: client.clientId }, { ...claims, aud: rp.issuer }, auth.key);
      case 'jwks': {
        const header: JwsHeader = { alg: 'ES256', typ: 'JWT', kid: auth.kid };
        // Keycloak's identity broker puts the token endpoint URL in aud by default.
        return signJws(header, { ...claims, aud: `${rp.issuer}/oidc/token` }, auth.key);
      }
    }
  }

  async function tokenRequest(client: RpClient, params: Record<string, string>): Promise<TokenAnswer> {
    const form = new URLSearchParams(params);
    const assertion = clientAssertion(client);
    if (assertion === undefined) form.set('client_id', client.clientId);
    else {
      // The Keycloak-style client sends no client_id: the assertion iss names it (RFC 7523 §3).
      if (client.auth.kind === 'did-key') form.set('client_id', client.clientId);
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', assertion);
    }
    const res = await fetch(`${rp.issuer}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json };
  }

  return rp;
}
