/** Internal HTTP helpers of the OAuth helpers: endpoint URL policy and bounded JSON GETs. */
import { OAuthError } from './oauth-error.ts';
import { scrub } from './request-token.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_JSON_BYTES = 256 * 1024;

/** `localhost`, `127.0.0.0/8` and `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** An https URL, or plain http on a loopback host (development, tests); never a fragment or credentials. */
export function isSecureEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== '' || url.username !== '' || url.password !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** The issuer identifier as configured, without trailing slashes; refuses anything but https / loopback http without query or fragment. */
export function normaliseIssuer(issuer: string): string {
  if (typeof issuer !== 'string' || issuer.trim() === '') throw new TypeError('issuer must be a URL');
  const trimmed = issuer.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new TypeError('issuer must be an absolute URL');
  }
  if (url.search !== '' || url.hash !== '' || !isSecureEndpoint(trimmed)) {
    throw new TypeError('issuer must be an https URL (or http on a loopback host) without query or fragment');
  }
  return trimmed;
}

async function readBounded(res: Response, limit: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface HttpGetOptions {
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  accept: string;
  /** What is fetched, for messages ("the discovery document"). */
  what: string;
}

/** GET without following redirects, with a timeout; OAuthError('network_error') when there is no answer. */
export async function httpGet(url: string, o: HttpGetOptions): Promise<Response> {
  const doFetch = o.fetch ?? globalThis.fetch;
  try {
    return await doFetch(url, {
      method: 'GET',
      headers: { accept: o.accept },
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (e) {
    const reason = e instanceof Error ? (e.name === 'TimeoutError' ? 'timed out' : e.message) : 'fetch failed';
    throw new OAuthError('network_error', { description: `${o.what}: ${scrub(reason)}`, cause: e });
  }
}

/** Reads a 200 answer as a JSON object (size-limited); OAuthError on anything else. */
export async function readJsonObject(res: Response, o: { invalidCode: string; what: string }): Promise<Record<string, unknown>> {
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new OAuthError(`http_${res.status}`, { status: res.status, description: `${o.what} answered HTTP ${res.status}` });
  }
  let text: string | undefined;
  try {
    text = await readBounded(res, MAX_JSON_BYTES);
  } catch (e) {
    throw new OAuthError('network_error', { status: res.status, description: `${o.what}: the body could not be read`, cause: e });
  }
  if (text === undefined) throw new OAuthError(o.invalidCode, { status: res.status, description: `${o.what} is larger than ${MAX_JSON_BYTES} bytes` });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OAuthError(o.invalidCode, { status: res.status, description: `${o.what} is not JSON` });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OAuthError(o.invalidCode, { status: res.status, description: `${o.what} is not a JSON object` });
  }
  return json as Record<string, unknown>;
}
