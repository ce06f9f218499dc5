/**
 * The DID resolver: a registry of method drivers (`key`, `jwk`, `web`; `elsi` has no document —
 * its keys come from the credential's x5c chain, check-vc-signature.ts) with a bounded cache.
 *
 * - `resolve(did)` never throws: failures are `didResolutionMetadata.error` (did-resolver style).
 * - `resolveKey(didUrl)` finds the verification key of `did` or `did#fragment` (a JWT `kid`) and
 *   throws a VerifierError with an `ERR_DID_*` code.
 * - Cache: one entry per DID, at most `maxEntries` (oldest evicted first); documents for
 *   `cacheTtlMs`, failures of a driver (not found, unreachable, unusable document) for the
 *   shorter `negativeTtlMs` — a failure is never cached as a document, and a document never
 *   outlives its TTL. Concurrent resolutions of one DID share one driver call.
 */
import type { KeyObject } from 'node:crypto';
import { importPublicJwk } from '../jose/keys.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';
import { didJwkDriver } from './did-jwk-driver.ts';
import { didKeyDriver } from './did-key-driver.ts';
import { createDidWebDriver, type DidWebOptions } from './did-web-driver.ts';
import { parseDid } from './parse-did.ts';
import {
  DidResolutionError,
  type DidErrorCode,
  type DidMethodRegistry,
  type DidResolutionResult,
  type ParsedDid,
  type ResolvedKey,
} from './types.ts';

export interface DidResolverOptions {
  /** Enables did:web with these options (its fetcher, timeout, size cap). Absent: did:web is unsupported. */
  web?: DidWebOptions;
  /** Extra or replacement drivers (e.g. `elsi`), merged over the built-in `key`, `jwk` (and `web`). */
  registry?: DidMethodRegistry;
  /** How long a resolved document is reused, ms. Default 300 000. */
  cacheTtlMs?: number;
  /** How long a driver failure is remembered, ms. Default min(cacheTtlMs, 10 000). */
  negativeTtlMs?: number;
  /** Cache bound. Default 1 000 DIDs. */
  maxEntries?: number;
  /** ms epoch; default Date.now (pass the Clock's now). */
  now?: () => number;
}

export interface DidResolver {
  /** The registered method names. */
  readonly methods: readonly string[];
  resolve(did: string): Promise<DidResolutionResult>;
  /** The key of `did` (its only usable method) or `did#fragment`; throws VerifierError ERR_DID_*. */
  resolveKey(didUrl: string): Promise<ResolvedKey>;
}

export const DID_ERROR_CODES: Readonly<Record<DidErrorCode, ErrorCode>> = {
  invalidDid: 'ERR_DID_INVALID',
  unsupportedDidMethod: 'ERR_DID_UNSUPPORTED_METHOD',
  notFound: 'ERR_DID_NOT_FOUND',
  resolutionFailed: 'ERR_DID_RESOLUTION_FAILED',
  invalidDidDocument: 'ERR_DID_DOCUMENT_INVALID',
  keyNotFound: 'ERR_DID_KEY_NOT_FOUND',
};

const failed = (error: DidErrorCode, message: string): DidResolutionResult => ({ didDocument: null, didResolutionMetadata: { error, message } });

export function createDidResolver(options: DidResolverOptions = {}): DidResolver {
  const registry: DidMethodRegistry = {
    key: didKeyDriver,
    jwk: didJwkDriver,
    ...(options.web ? { web: createDidWebDriver(options.web) } : {}),
    ...options.registry,
  };
  const now = options.now ?? Date.now;
  const ttl = options.cacheTtlMs ?? 300_000;
  const negativeTtl = options.negativeTtlMs ?? Math.min(ttl, 10_000);
  const cache = new BoundedCache<string, DidResolutionResult>(options.maxEntries ?? 1_000);
  const inflight = new Map<string, Promise<DidResolutionResult>>();

  async function run(parsed: ParsedDid): Promise<DidResolutionResult> {
    const driver = registry[parsed.method]!;
    try {
      const didDocument = await driver(parsed, { now: now() });
      const result: DidResolutionResult = { didDocument, didResolutionMetadata: {} };
      cache.set(parsed.did, result, ttl, now());
      return result;
    } catch (e) {
      if (!(e instanceof DidResolutionError)) return failed('resolutionFailed', 'the DID could not be resolved');
      const result = failed(e.code, e.message);
      cache.set(parsed.did, result, negativeTtl, now());
      return result;
    }
  }

  const importedKeys = new WeakMap<object, KeyObject>();

  async function resolveParsed(parsed: ParsedDid | null): Promise<DidResolutionResult> {
    if (!parsed) return failed('invalidDid', 'not a DID');
    if (!Object.hasOwn(registry, parsed.method)) return failed('unsupportedDidMethod', `the DID method "${parsed.method}" is not supported`);
    const hit = cache.get(parsed.did, now());
    if (hit) return hit;
    let p = inflight.get(parsed.did);
    if (!p) {
      p = run(parsed).finally(() => inflight.delete(parsed.did));
      inflight.set(parsed.did, p);
    }
    return p;
  }

  return {
    methods: Object.keys(registry),
    resolve: (did) => resolveParsed(parseDid(did)),
    async resolveKey(didUrl) {
      const parsed = parseDid(didUrl);
      const { didDocument, didResolutionMetadata: meta } = await resolveParsed(parsed);
      if (!didDocument || !parsed) {
        const code = meta.error ?? 'resolutionFailed';
        throw new VerifierError(DID_ERROR_CODES[code], meta.message ?? 'the DID could not be resolved');
      }
      const methods = didDocument.verificationMethod;
      let vm;
      if (parsed.fragment !== undefined) {
        vm = methods.find((m) => m.id === `${parsed.did}#${parsed.fragment}`);
        if (!vm) throw new VerifierError('ERR_DID_KEY_NOT_FOUND', 'the DID document has no usable verification method with this id');
      } else {
        if (methods.length !== 1) {
          throw new VerifierError('ERR_DID_KEY_NOT_FOUND', methods.length === 0 ? 'the DID document has no usable (JWK) verification method' : 'the DID document has several verification methods; the kid must name one');
        }
        vm = methods[0]!;
      }
      // A cached document keeps its JWK objects: their imported keys are remembered with them
      // (no thumbprint per request); a document dropped from the cache takes its keys along.
      let key = importedKeys.get(vm.publicKeyJwk);
      if (!key) {
        try {
          key = importPublicJwk(vm.publicKeyJwk);
        } catch {
          throw new VerifierError('ERR_DID_KEY_NOT_FOUND', 'the verification method key cannot be imported');
        }
        importedKeys.set(vm.publicKeyJwk, key);
      }
      return { did: parsed.did, vmId: vm.id, controller: vm.controller, jwk: vm.publicKeyJwk, key };
    },
  };
}
