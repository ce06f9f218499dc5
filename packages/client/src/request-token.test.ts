import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTokenRequestBody, requestToken, TokenRequestError } from './request-token.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler = (_q, _b, res) => res.end();
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => handler(req, body, res));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc/token`;
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ASSERTION = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl';
const body = buildTokenRequestBody({ clientId: 'did:key:zDnaeX', clientAssertion: ASSERTION });

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

test('requestToken POSTs the form (urlencoded) and returns the token response', async () => {
  let seen: { method?: string; type?: string; body?: string } = {};
  handler = (req, b, res) => {
    seen = { method: req.method, type: req.headers['content-type'], body: b };
    json(res, 200, { access_token: 'at', token_type: 'Bearer', expires_in: 3599 });
  };
  const r = await requestToken({ tokenEndpoint: endpoint, body });
  assert.deepEqual(r, { access_token: 'at', token_type: 'Bearer', expires_in: 3599 });
  assert.equal(seen.method, 'POST');
  assert.equal(seen.type, 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(seen.body);
  assert.equal(form.get('grant_type'), 'client_credentials');
  assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  assert.equal(form.get('client_assertion'), ASSERTION);
  assert.equal(form.get('scope'), null);
});

test('an RFC 6749 error body maps to TokenRequestError with .error, .status and .description, never the assertion', async () => {
  handler = (_q, _b, res) => json(res, 401, { error: 'invalid_client', error_description: `bad assertion ${ASSERTION}` });
  await assert.rejects(requestToken({ tokenEndpoint: endpoint, body }), (e: unknown) => {
    assert.ok(e instanceof TokenRequestError);
    assert.equal(e.error, 'invalid_client');
    assert.equal(e.status, 401);
    assert.equal(e.description, 'bad assertion [redacted]');
    assert.ok(!e.message.includes(ASSERTION));
    return true;
  });
});

test('a non-OAuth error body maps to http_<status>; a 200 without access_token to invalid_response', async () => {
  handler = (_q, _b, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html>Whitelabel Error Page</html>');
  };
  await assert.rejects(requestToken({ tokenEndpoint: endpoint, body }), (e: unknown) => e instanceof TokenRequestError && e.error === 'http_500' && e.status === 500);
  handler = (_q, _b, res) => json(res, 200, { token_type: 'Bearer' });
  await assert.rejects(requestToken({ tokenEndpoint: endpoint, body }), (e: unknown) => e instanceof TokenRequestError && e.error === 'invalid_response');
});

test('a connection failure maps to network_error with status 0; an injected fetch is used', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(requestToken({ tokenEndpoint: `http://127.0.0.1:${port}/oidc/token`, body }), (e: unknown) => e instanceof TokenRequestError && e.error === 'network_error' && e.status === 0);
  let calls = 0;
  const fake: typeof fetch = async () => {
    calls++;
    return new Response(JSON.stringify({ access_token: 'x', token_type: 'Bearer' }), { status: 200 });
  };
  assert.equal((await requestToken({ tokenEndpoint: 'http://127.0.0.1:1/never', body, fetch: fake })).access_token, 'x');
  assert.equal(calls, 1);
});
