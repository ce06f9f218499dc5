/** Secrets never reach the logs: rejected and accepted requests log codes and routes, not assertions, presentations or tokens. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../packages/server/src/logger.ts';
import { createWorld, type World } from '../support/world.ts';
import { sign, assertionClaims, tokenForm } from '../support/forge.ts';

describe('logging', () => {
  let w: World;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    w = await createWorld({ logger: createLogger('debug', sink) });
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
