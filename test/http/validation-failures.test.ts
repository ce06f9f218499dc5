/**
 * `verifier_validation_failures_total{code,step}` counts every rejected request once: under the
 * pipeline step that refused it, or under `step="request"` when the rejection was raised outside
 * a pipeline step (request parsing, grant_type, scope and resource, grant checks, …). Admission
 * refusals (429, 503 busy) are counted in their own metrics, not here (test/http/admission.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World } from '../support/world.ts';
import { createRpWorld, type RpWorld } from '../support/h2m-session.ts';

/** code → step → count, from /metrics. */
async function failures(w: World): Promise<Map<string, Map<string, number>>> {
  const text = (await w.app.inject({ method: 'GET', url: '/metrics' })).body;
  const out = new Map<string, Map<string, number>>();
  for (const m of text.matchAll(/^verifier_validation_failures_total\{code="([^"]+)",step="([^"]+)"\} (\d+)$/gm)) {
    const byStep = out.get(m[1]!) ?? new Map<string, number>();
    byStep.set(m[2]!, Number(m[3]));
    out.set(m[1]!, byStep);
  }
  return out;
}

/** What `action` added to the counter: "CODE@step" → increment. */
async function counted(w: World, action: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await failures(w);
  await action();
  const after = await failures(w);
  const delta: Record<string, number> = {};
  for (const [code, steps] of after) {
    for (const [step, n] of steps) {
      const d = n - (before.get(code)?.get(step) ?? 0);
      if (d !== 0) delta[`${code}@${step}`] = d;
    }
  }
  return delta;
}

describe('verifier_validation_failures_total counts request- and grant-level rejections once', () => {
  let w: World;
  before(async () => {
    w = await createWorld();
  });
  after(() => w.close());

  test('an unsupported grant_type is counted under step="request"', async () => {
    const delta = await counted(w, async () => assert.equal((await w.post('grant_type=password')).status, 400));
    assert.deepEqual(delta, { 'ERR_GRANT_TYPE_UNSUPPORTED@request': 1 });
  });

  test('a missing grant_type, a duplicate parameter and a body that is not a form are each counted once', async () => {
    assert.deepEqual(await counted(w, () => w.post('client_id=x')), { 'ERR_REQUEST_MISSING_PARAMETER@request': 1 });
    assert.deepEqual(await counted(w, () => w.post('grant_type=client_credentials&grant_type=client_credentials')), { 'ERR_REQUEST_DUPLICATE_PARAMETER@request': 1 });
    const json = () => w.app.inject({ method: 'POST', url: '/oidc/token', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.deepEqual(await counted(w, async () => assert.equal((await json()).statusCode, 400)), { 'ERR_REQUEST_CONTENT_TYPE@request': 1 });
  });

  test('an invalid scope and a foreign resource on client_credentials are counted under step="request"', async () => {
    const scoped = await w.tokenRequest({ scope: 'machine admin' });
    const d1 = await counted(w, async () => {
      const res = await w.post(scoped.body);
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_scope');
    });
    assert.deepEqual(d1, { 'ERR_SCOPE_INVALID@request': 1 });
    const targeted = await w.tokenRequest();
    targeted.body.set('resource', 'https://elsewhere.example');
    const d2 = await counted(w, async () => {
      const res = await w.post(targeted.body);
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_target');
    });
    assert.deepEqual(d2, { 'ERR_TARGET_INVALID@request': 1 });
  });

  test('a rejection by a pipeline step is counted under that step only, not again under step="request"', async () => {
    const delta = await counted(w, async () => assert.equal((await w.post('grant_type=client_credentials')).status, 401));
    assert.deepEqual(delta, { 'ERR_CLIENT_AUTH_MISSING@parse-client-assertion': 1 });
  });

  test('an authorization request whose body is not a form is counted (an error page, not the error handler)', async () => {
    const send = () => w.app.inject({ method: 'POST', url: '/oidc/authorize', headers: { 'content-type': 'application/json' }, payload: '{}' });
    const delta = await counted(w, async () => assert.equal((await send()).statusCode, 400));
    assert.deepEqual(delta, { 'ERR_REQUEST_CONTENT_TYPE@request': 1 });
  });

  test('a wallet answer without state is counted under step="request"', async () => {
    const send = () => w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'vp_token=x' });
    const delta = await counted(w, async () => assert.equal((await send()).statusCode, 400));
    assert.deepEqual(delta, { 'ERR_REQUEST_MISSING_PARAMETER@request': 1 });
  });

  test('an accepted request counts nothing', async () => {
    const ok = await w.tokenRequest();
    const delta = await counted(w, async () => assert.equal((await w.post(ok.body)).status, 200));
    assert.deepEqual(delta, {});
  });
});

describe('verifier_validation_failures_total counts grant-level rejections once', () => {
  let s: RpWorld;
  before(async () => {
    s = await createRpWorld();
  });
  after(() => s.w.close());

  test('an unknown and a reused authorization code are counted under step="request"', async () => {
    const unknown = await counted(s.w, async () => {
      const res = await s.w.post(s.codeForm('not-a-code'));
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_grant');
    });
    assert.deepEqual(unknown, { 'ERR_GRANT_CODE_INVALID@request': 1 });
    const code = await s.loginCode();
    assert.equal((await s.w.post(s.codeForm(code))).status, 200);
    const reused = await counted(s.w, async () => assert.equal((await s.w.post(s.codeForm(code))).status, 400));
    assert.deepEqual(reused, { 'ERR_GRANT_CODE_REUSED@request': 1 });
  });
});
