/**
 * `X-Request-Id`: a caller's id is taken only when it is a plain token (at most 128 characters of
 * [A-Za-z0-9._-]); anything else is replaced by a fresh UUID. The id is echoed in the response
 * header and is the `reqId` of the request's log lines.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../packages/server/src/logger.ts';
import { createWorld, type World } from '../support/world.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  let w: World;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    w = await createWorld({ logger: createLogger('info', sink) });
  });
  after(() => w.close());

  const logLinesOf = (id: string) => lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('request completed') && JSON.parse(l).reqId === id);

  test('a valid X-Request-Id is echoed in the response and is the request id of its log lines', async () => {
    const id = 'abc.DEF_123-xyz';
    const res = await w.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-request-id'], id);
    assert.equal(logLinesOf(id).length, 1);
  });

  test('an error answer echoes the request id too', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/oidc/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'token-call-1' }, payload: 'grant_type=client_credentials' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['x-request-id'], 'token-call-1');
  });

  test('without X-Request-Id a fresh UUID is generated and echoed', async () => {
    const a = await w.app.inject({ method: 'GET', url: '/health' });
    const b = await w.app.inject({ method: 'GET', url: '/health' });
    assert.match(String(a.headers['x-request-id']), UUID);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
    assert.equal(logLinesOf(String(a.headers['x-request-id'])).length, 1);
  });

  for (const [what, value] of [
    ['longer than 128 characters', 'a'.repeat(129)],
    ['with a space', 'two words'],
    ['with a quote and braces (log injection)', '"},{"level":60'],
    ['with a slash', 'a/b'],
    ['with non-ASCII', 'café'],
    ['empty', ''],
  ] as const) {
    test(`an X-Request-Id ${what} is replaced by a fresh UUID`, async () => {
      const res = await w.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': value } });
      assert.equal(res.statusCode, 200);
      const echoed = String(res.headers['x-request-id']);
      assert.match(echoed, UUID);
      assert.equal(lines.some((l) => value !== '' && l.includes(value)), false, 'the refused id is never logged');
    });
  }

  test('an X-Request-Id of exactly 128 characters is accepted', async () => {
    const id = 'A'.repeat(128);
    const res = await w.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } });
    assert.equal(res.headers['x-request-id'], id);
  });
});
