/** Shared assertion for rejected token requests: exact status and OAuth error, no token, nothing stored. */
import assert from 'node:assert/strict';
import type { World } from './world.ts';

type Res = { status: number; json: Record<string, unknown>; headers: Record<string, unknown> };

export async function expectRejected(w: World, pending: Promise<Res>, status: number, error: string, description: RegExp): Promise<Res> {
  const before = w.storeSize();
  const res = await pending;
  assert.equal(res.status, status, `status: ${JSON.stringify(res.json)}`);
  assert.equal(res.json.error, error, `error: ${JSON.stringify(res.json)}`);
  assert.match(String(res.json.error_description), description);
  assert.equal(res.json.access_token, undefined);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(w.storeSize(), before, 'a rejected request must not leave anything in the store');
  return res;
}

/** `fetch` over a real socket; the body parsed as JSON when it is JSON (else `{}`), with status and headers. */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, headers: res.headers };
}
