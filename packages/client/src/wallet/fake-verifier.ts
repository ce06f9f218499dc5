/**
 * Test support (not exported from the package): a tiny OID4VP verifier on 127.0.0.1 that serves
 * one-shot request objects signed by its did:key and records what wallets POST to
 * `/oid4vp/auth-response` (OpenID4VP `direct_post`).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { keyObjectToDidKey } from '@dome-verifier/did-key';
import { LEAR_EMPLOYEE_SCOPE, REQUEST_OBJECT_TYP } from './request-object.ts';

export interface RecordedPost {
  headers: IncomingHttpHeaders;
  raw: string;
  form: URLSearchParams;
}

export interface IssueOptions {
  /** Merged into the protected header; a key set to undefined is removed. */
  header?: Record<string, unknown>;
  /** Merged into the payload; a key set to undefined is removed. */
  claims?: Record<string, unknown>;
  /** Sign with this key instead of the verifier's (bad signature). */
  signWith?: KeyObject;
  /** Serve this body instead of the signed JWT. */
  body?: string;
  /** Default 'text/plain;charset=UTF-8' (what the reference verifier sends). */
  contentType?: string;
  /** client_id of the openid4vp URL; default the verifier's did. */
  urlClientId?: string;
}

export interface IssuedRequest {
  url: string;
  requestUri: string;
  claims: Record<string, unknown>;
  jwt: string;
}

export interface FakeVerifier {
  base: string;
  did: string;
  key: KeyObject;
  /** Registers a request object (served once) and returns its openid4vp URL. */
  issue: (o?: IssueOptions) => Promise<IssuedRequest>;
  /** Request-object GETs, in order. */
  gets: Array<{ path: string; headers: IncomingHttpHeaders }>;
  posts: RecordedPost[];
  /** Next answers to POST /oid4vp/auth-response. */
  reply: { status: number; body: string; contentType?: string };
  /** Seconds, for iat/exp of the request objects. */
  nowSeconds: () => number;
  close: () => Promise<void>;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export async function startFakeVerifier(o: { nowSeconds?: () => number } = {}): Promise<FakeVerifier> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const did = keyObjectToDidKey(privateKey);
  const served = new Map<string, { body: string; contentType: string }>();
  const gets: FakeVerifier['gets'] = [];
  const posts: RecordedPost[] = [];
  const reply: FakeVerifier['reply'] = { status: 200, body: '' };
  const nowSeconds = o.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'GET' && path.startsWith('/oid4vp/auth-request/')) {
        gets.push({ path, headers: req.headers });
        const entry = served.get(path);
        served.delete(path); // one-shot, as the reference verifier
        if (!entry) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"","message":"","path":""}');
        return void res.writeHead(200, { 'content-type': entry.contentType }).end(entry.body);
      }
      if (req.method === 'POST' && path === '/oid4vp/auth-response') {
        posts.push({ headers: req.headers, raw, form: new URLSearchParams(raw) });
        return void res.writeHead(reply.status, reply.contentType ? { 'content-type': reply.contentType } : {}).end(reply.body);
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issue = async (io: IssueOptions = {}): Promise<IssuedRequest> => {
    const id = randomUUID();
    const iat = nowSeconds();
    const claims = merge(
      {
        iss: did,
        aud: did,
        iat,
        exp: iat + 10 * 86_400,
        client_id: did,
        client_id_scheme: 'did:key',
        nonce: randomUUID(),
        response_uri: `${base}/oid4vp/auth-response`,
        scope: LEAR_EMPLOYEE_SCOPE,
        state: `state-${randomUUID()}`,
        response_type: 'vp_token',
        response_mode: 'direct_post',
        jti: randomUUID(),
      },
      io.claims,
    );
    const header = merge({ kid: did, typ: REQUEST_OBJECT_TYP, alg: 'ES256' }, io.header);
    const jwt = await new SignJWT(claims as JWTPayload)
      .setProtectedHeader(header as { alg: string })
      .sign(io.signWith ?? privateKey);
    const path = `/oid4vp/auth-request/${id}`;
    served.set(path, { body: io.body ?? jwt, contentType: io.contentType ?? 'text/plain;charset=UTF-8' });
    const requestUri = `${base}${path}`;
    const url = `openid4vp://?client_id=${encodeURIComponent(io.urlClientId ?? did)}&request_uri=${encodeURIComponent(requestUri)}`;
    return { url, requestUri, claims, jwt };
  };

  return {
    base,
    did,
    key: privateKey,
    issue,
    gets,
    posts,
    reply,
    nowSeconds,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
