/**
 * did:web driver (W3C CCG did:web method): `did:web:<host>[%3A<port>][:<path>…]` →
 * `https://<host>[:<port>]/<path…>/did.json`, or `https://<host>[:<port>]/.well-known/did.json`
 * without a path. Each segment is percent-decoded; a decoded segment must not contain `/`, `?`,
 * `#`, `\` or be `.`/`..`; the host is a DNS name or an IPv4 literal (the SSRF guard judges the
 * address). The document is fetched through the Fetcher as an **untrusted** URL (https only,
 * public addresses only, no redirects, the configured timeout and size cap) and read by
 * `readDidDocument` (id = the DID, JWK methods controlled by the DID).
 *
 * `allowHttp` fetches `http://` instead of `https://` — for tests and local development against
 * a loopback server only (the Fetcher must also be built with `allowInsecure`, or the loopback
 * address is refused anyway); never in production: a did:web document over http proves nothing.
 */
import { FetchError, type Fetcher } from '../ports/fetcher.ts';
import { parseJsonObject } from '../shared/json.ts';
import { readDidDocument } from './did-document.ts';
import { DidResolutionError, type DidMethodDriver, type ParsedDid } from './types.ts';

export interface DidWebOptions {
  fetch: Fetcher;
  /** Whole-exchange timeout of a document fetch, ms. Default 2500. */
  timeoutMs?: number;
  /** DID document size cap, bytes. Default 64 KiB. */
  maxDocumentBytes?: number;
  /** Fetch over http (tests/development only; see above). Default false. */
  allowHttp?: boolean;
}

export const DID_WEB_DEFAULTS = { timeoutMs: 2500, maxDocumentBytes: 64 * 1024 } as const;

const HOST_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const BAD_SEGMENT_RE = /[/?#\\\s]/;

/** The document URL of a did:web, or a DidResolutionError('invalidDid'). */
export function didWebUrl(parsed: Pick<ParsedDid, 'id'>, scheme: 'https' | 'http' = 'https'): string {
  const invalid = (msg: string) => new DidResolutionError('invalidDid', msg);
  const segments = parsed.id.split(':');
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    throw invalid('a did:web segment is not valid percent-encoding');
  }
  const [authority = '', ...path] = decoded;
  const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(authority);
  const host = m?.[1] ?? '';
  const port = m?.[2];
  if (!HOST_RE.test(host)) throw invalid('the did:web host is not a DNS name or IPv4 address');
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw invalid('the did:web port is out of range');
  for (const p of path) {
    if (p.length === 0 || p === '.' || p === '..' || BAD_SEGMENT_RE.test(p)) throw invalid('a did:web path segment is empty or not a plain name');
  }
  const origin = `${scheme}://${host.toLowerCase()}${port === undefined ? '' : `:${port}`}`;
  return path.length === 0 ? `${origin}/.well-known/did.json` : `${origin}/${path.map(encodeURIComponent).join('/')}/did.json`;
}

export function createDidWebDriver(options: DidWebOptions): DidMethodDriver {
  const maxBytes = options.maxDocumentBytes ?? DID_WEB_DEFAULTS.maxDocumentBytes;
  const timeoutMs = options.timeoutMs ?? DID_WEB_DEFAULTS.timeoutMs;
  return async (parsed) => {
    const url = didWebUrl(parsed, options.allowHttp ? 'http' : 'https');
    let res;
    try {
      res = await options.fetch({ url, purpose: 'untrusted', maxBytes, timeoutMs, accept: 'application/did+json, application/json' });
    } catch (e) {
      const reason = e instanceof FetchError ? e.reason : 'network';
      throw new DidResolutionError('resolutionFailed', `the did:web document could not be fetched (${reason})`, { cause: e });
    }
    if (res.status === 404 || res.status === 410) throw new DidResolutionError('notFound', `the did:web document does not exist (HTTP ${res.status})`);
    if (res.status !== 200) throw new DidResolutionError('resolutionFailed', `the did:web host answered HTTP ${res.status}`);
    let json: Record<string, unknown>;
    try {
      json = parseJsonObject(res.body.toString('utf8'), { maxDepth: 16 });
    } catch (e) {
      throw new DidResolutionError('invalidDidDocument', 'the did:web document is not a JSON object', { cause: e });
    }
    return readDidDocument(json, parsed.did);
  };
}
