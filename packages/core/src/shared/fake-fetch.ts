/**
 * Test-only fake of the outbound HTTP port (imported only by `*.test.ts` files): no network.
 */
import type { FetchRequest, FetchResponse, Fetcher } from '../ports/fetcher.ts';

/** What the fake answers to one request: a response, an error to throw, or a function producing either. */
export type FakeAnswer = FetchResponse | Error | (() => FetchResponse | Error | Promise<FetchResponse>);

/** A fetcher that answers from a queue (the last answer repeats) and records every request. */
export function fakeFetch(...answers: FakeAnswer[]): { fetch: Fetcher; requests: FetchRequest[] } {
  const requests: FetchRequest[] = [];
  const queue = [...answers];
  const fetch = async (req: FetchRequest): Promise<FetchResponse> => {
    requests.push(req);
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    const a = typeof next === 'function' ? await next() : next;
    if (a instanceof Error) throw a;
    return a;
  };
  return { fetch, requests };
}

/** An application/json response of `doc` (a string is sent as is, anything else JSON-encoded). */
export const jsonResponse = (doc: unknown, status = 200): FetchResponse => ({
  status, contentType: 'application/json', body: Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)),
});
