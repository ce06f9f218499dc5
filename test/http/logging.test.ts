/** Secrets never reach the logs: rejected and accepted requests log codes and routes, not assertions, presentations or tokens. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../packages/server/src/logger.ts';
import { createWorld, type World } from '../support/world.ts';
import { sign, assertionClaims, tokenForm } from '../support/forge.ts';

/** A log destination that appends every line to `lines`. */
const sinkInto = (lines: string[]) =>
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });

describe('logging', () => {
  let w: World;
  const lines: string[] = [];
  before(async () => {
    w = await createWorld({ logger: createLogger('debug', sinkInto(lines)) });
  });
  after(() => w.close());

  test('no client assertion, VP, credential or access token appears in any log line', async () => {
    const ok = await w.tokenRequest();
    const okRes = await w.post(ok.body);
    assert.equal(okRes.status, 200);
    const bad = sign({ alg: 'ES256', kid: w.machine.did }, assertionClaims(w.machine.did, ok.vpJwt, w.clock.now(), { aud: 'https://elsewhere' }), w.machine.privateKey);
    const badRes = await w.post(tokenForm(w.machine.did, bad));
    assert.equal(badRes.status, 401);
    const log = lines.join('');
    assert.match(log, /ERR_ASSERTION_AUDIENCE/, 'the rejection is logged with its code');
    for (const secret of [ok.clientAssertion, ok.vpJwt, bad, String(okRes.json.access_token)]) {
      for (const part of secret.split('.')) assert.equal(log.includes(part), false, 'a JWT segment leaked into the logs');
    }
    assert.equal(log.includes(w.runtime.identity.privateKey.export({ format: 'jwk' }).d!), false);
  });

  test('error descriptions never echo the submitted token', async () => {
    const ok = await w.tokenRequest();
    const res = await w.post(tokenForm(w.machine.did, `${ok.clientAssertion}x`));
    assert.equal(res.status, 401);
    for (const part of ok.clientAssertion.split('.')) assert.equal(String(res.json.error_description).includes(part), false);
  });
});

/** `secret` as Node would print its bytes in a Buffer's JSON form (`"data":[80,79,…]`). */
const decimalForm = (secret: string) => [...Buffer.from(secret)].join(',');

describe('logging at trace level', () => {
  let w: World;
  const lines: string[] = [];
  before(async () => {
    w = await createWorld({ listen: true, logger: createLogger('trace', sinkInto(lines)) });
  });
  after(() => w.close());

  /** Sends raw bytes and waits until the server closes the connection (or 5 s). */
  async function raw(bytes: string): Promise<string> {
    const { connect } = await import('node:net');
    const s = connect({ host: '127.0.0.1', port: Number(new URL(w.issuer).port) });
    let data = '';
    s.setEncoding('utf8').on('data', (d: string) => (data += d));
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.once('connect', () => s.write(bytes));
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 5000).unref();
    });
    return data;
  }

  test('no secret reaches any log line at trace level, not even in malformed HTTP framing (the raw request bytes are never logged)', async () => {
    const ok = await w.tokenRequest();
    const secrets = {
      assertion: ok.clientAssertion,
      bearer: 'Bearer-Secret-Access-Token-4c1d8f0e',
      cookie: 'dv_login=Login-Cookie-Secret-93ab77',
      code: 'Authorization-Code-Secret-7f3e21',
      refresh: 'Refresh-Token-Secret-0b9a44',
      vp: ok.vpJwt,
    };
    // Malformed framing carrying secrets in headers and body (a bad Content-Length, a header without a colon).
    const badLength = await raw(`POST /oidc/token HTTP/1.1\r\nHost: x\r\nAuthorization: ${secrets.bearer}\r\nCookie: ${secrets.cookie}\r\nContent-Length: 12x\r\n\r\nclient_assertion=${secrets.assertion}`);
    assert.match(badLength, /^HTTP\/1\.1 400 /);
    await raw(`GET /login?x=1 HTTP/1.1\r\nHost: x\r\nCookie: ${secrets.cookie}\r\nthis is not a header ${secrets.refresh}\r\n\r\n`);
    // Ordinary requests carrying each secret.
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal((await fetch(`${w.issuer}/oidc/token`, { method: 'POST', headers: form, body: ok.body.toString() })).status, 200);
    await fetch(`${w.issuer}/oidc/token`, { method: 'POST', headers: { ...form, authorization: secrets.bearer, cookie: secrets.cookie }, body: `grant_type=authorization_code&code=${secrets.code}&client_id=${encodeURIComponent(w.machine.did)}` });
    await fetch(`${w.issuer}/oidc/token`, { method: 'POST', headers: form, body: `grant_type=refresh_token&refresh_token=${secrets.refresh}` });
    await fetch(`${w.issuer}/oid4vp/auth-response`, { method: 'POST', headers: form, body: `state=abc&vp_token=${secrets.vp}` });
    await fetch(`${w.issuer}/login?code=${secrets.code}`, { headers: { cookie: secrets.cookie, authorization: secrets.bearer } });
    await new Promise((r) => setTimeout(r, 100));

    const log = lines.join('');
    assert.match(log, /client error/, 'the framing errors were logged (without their bytes)');
    for (const [name, secret] of Object.entries(secrets)) {
      const probes = secret.includes('.') ? secret.split('.').filter((p) => p.length > 8) : [secret];
      for (const p of probes) {
        assert.equal(log.includes(p), false, `${name} leaked into the logs`);
        assert.equal(log.includes(decimalForm(p.slice(0, 16))), false, `${name} leaked into the logs as a byte array`);
      }
    }
    assert.equal(log.includes('"rawPacket"'), false);
  });
});
