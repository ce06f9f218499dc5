/** Test-only helpers of the client package. */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';

/** A syntactically real compact VC-JWT (content irrelevant to the client package). */
export async function fakeVcJwt(sub = 'did:key:zDnaeExample'): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return new SignJWT({ sub, vc: { type: ['LEARCredentialMachine', 'VerifiableCredential'] } })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .sign(privateKey);
}

export interface FakeCall {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

export type FakeRoute = (call: FakeCall) => Response | Promise<Response>;

/** A `fetch` that records every call and answers from `route` (a thrown error is a network failure). */
export function fakeFetch(route: FakeRoute): typeof fetch & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const call: FakeCall = { url: req.url, method: req.method, headers: req.headers, body: req.body ? await req.text() : '' };
    calls.push(call);
    return route(call);
  };
  return Object.assign(f as typeof fetch, { calls });
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json', ...headers } });
}
