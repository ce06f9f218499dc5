/**
 * Shared fixtures of the presentation check tests (imported only by `*.test.ts` files; the
 * name does not end in `.test.ts`, so the test runner does not run it by itself).
 *
 * - a dev PKI (ES256 root → intermediate → seal of ORG), created once per test process;
 * - LEAR credentials issued by that seal, raw, decoded, or decoded and mapped;
 * - presentation contexts over fixed-clock dependencies that fail loudly when touched,
 *   any of which a test can override;
 * - recording fakes of the trust registries (Trusted Issuers List, revocation list, status lists);
 * - the VerifierError predicate the checks' `rejects` helpers assert with.
 */
import assert from 'node:assert/strict';
import {
  createIntermediateCa, createRootCa, createSealCertificate, generateP256, issueLearCredential,
  type DevCertificate, type IssueOptions,
} from '@dome-verifier/dev-issuer';
import { decodeJws, type DecodedJws } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import type { TrustedIssuerRecord, TrustedIssuersRegistry } from '../../trust/trusted-issuers.ts';
import type { RevocationList } from '../../trust/revocation-list.ts';
import type { StatusListChecker, StatusOutcome } from '../../trust/status-list.ts';
import { mapLearCredential, type LearCredential } from '../lear-credential.ts';
import type { JwtPresentationInput, PresentationContext, PresentationDeps, PresentationPolicy, PresentationState, X5cVerifier } from '../context.ts';
import { credentialObject } from './parse-presentation.ts';

/** Organisation of the test seal: credentials are issued by `did:elsi:${ORG}`. */
export const ORG = 'VATES-T0000001';
export const ISSUER = `did:elsi:${ORG}`;
/** The fixed clock of the default dependencies. */
export const NOW = Date.parse('2025-06-01T12:00:00Z');
export const DAY = 86_400_000;
/** The did:key the default credential is bound to. */
export const HOLDER = generateP256().did;
/** Decoding limits that fit a credential with a long x5c header. */
export const DECODE = { maxLength: 64 * 1024, maxHeaderLength: 24 * 1024 };

// --- PKI --------------------------------------------------------------------------------------

export interface TestPki {
  root: DevCertificate;
  intermediate: DevCertificate;
  /** ES256 eIDAS seal of ORG ('Test S.L.', ES). */
  seal: DevCertificate;
}

const PKI_NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
let pkiPromise: Promise<TestPki> | undefined;
let pki: TestPki | undefined;

/** Creates the test PKI on first use (once per process); call it from a `before` hook. */
export function loadTestPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    const root = await createRootCa({ keyAlg: 'ES256', notBefore: PKI_NOT_BEFORE });
    const intermediate = await createIntermediateCa(root, { keyAlg: 'ES256', notBefore: PKI_NOT_BEFORE });
    const seal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256' });
    pki = { root, intermediate, seal };
    return pki;
  })();
  return pkiPromise;
}

/** The PKI made by loadTestPki(). */
export function testPki(): TestPki {
  if (!pki) throw new Error('the test PKI is not loaded: call loadTestPki() in a before() hook');
  return pki;
}

// --- Credentials ------------------------------------------------------------------------------

/**
 * A LEAR credential JWT. Defaults: machine, signed by the test seal with x5c [seal, intermediate],
 * issuer ORG, bound to HOLDER, valid from a day before NOW to a day after; `o` overrides any of them.
 */
export function issueVc(o: Partial<IssueOptions> = {}): string {
  return issueLearCredential({
    kind: 'machine', seal: o.seal ?? testPki().seal, chain: o.chain ?? [testPki().intermediate], organizationIdentifier: ORG, mandatee: { id: HOLDER },
    validFrom: new Date(NOW - DAY), validUntil: new Date(NOW + DAY), ...o,
  }).jwt;
}

/** Decodes a credential JWT as parsePresentation does. */
export const decodeVc = (jwt: string): DecodedJws => decodeJws(jwt, DECODE);

/** issueVc, decoded. */
export const decodedVc = (o: Partial<IssueOptions> = {}): DecodedJws => decodeVc(issueVc(o));

/** The state after parse + type checks: the decoded credential (issueVc options) and its mapping. */
export function credentialState(o: Partial<IssueOptions> = {}): { vc: DecodedJws; credential: LearCredential } {
  const vc = decodedVc(o);
  const mapped = mapLearCredential(credentialObject(vc.payload)!);
  assert.ok(mapped.ok);
  return { vc, credential: mapped.credential };
}

// --- Context ----------------------------------------------------------------------------------

const unexpected = (what: string) => () => Promise.reject(new Error(`unexpected ${what}`));

/** Dependencies that a step under test must not touch: each one fails. */
export const UNEXPECTED_ISSUERS: TrustedIssuersRegistry = { lookup: unexpected('TIL lookup') };
export const UNEXPECTED_REVOCATION: RevocationList = {
  isRevoked: unexpected('revocation lookup'),
  status: () => {
    throw new Error('unexpected revocation status');
  },
};
export const UNEXPECTED_STATUS_LISTS: StatusListChecker = { check: unexpected('status list check') };
export const UNEXPECTED_X5C: X5cVerifier = () => {
  throw new Error('unexpected x5c verification');
};

export interface DepsOverrides extends Partial<Omit<PresentationDeps, 'clock' | 'policy'>> {
  /** Time of the fixed clock (default NOW). */
  nowMs?: number;
  policy?: Partial<PresentationPolicy>;
}

/**
 * Fixed clock at NOW, 60 s skew, millisecond timestamps accepted, no legacy revocation list;
 * issuers, status lists and x5c fail when used. Everything can be overridden.
 */
export function presentationDeps(o: DepsOverrides = {}): PresentationDeps {
  const { nowMs = NOW, policy, ...deps } = o;
  return {
    clock: fixedClock(nowMs),
    policy: { clockSkewSeconds: 60, acceptMillisecondTimestamps: true, ...policy },
    issuers: UNEXPECTED_ISSUERS,
    revocation: undefined,
    statusLists: UNEXPECTED_STATUS_LISTS,
    x5c: UNEXPECTED_X5C,
    ...deps,
  };
}

/** A machine-flow context (vpJwt 'unused' unless given) over `deps`. */
export function presentationContext(state: PresentationState, deps: PresentationDeps = presentationDeps(), input: Partial<JwtPresentationInput> = {}): PresentationContext {
  return { input: { vpJwt: 'unused', expectedKind: 'machine', ...input }, deps, state };
}

// --- Fake trust registries --------------------------------------------------------------------

/**
 * A fake Trusted Issuers List: DID → record (or an error to throw), or a list of DIDs known with
 * no attributes; `failure` makes every lookup throw. Records every lookup.
 */
export function fakeIssuers(entries: Record<string, TrustedIssuerRecord | Error> | readonly string[], failure?: Error): TrustedIssuersRegistry & { calls: string[] } {
  const records: Record<string, TrustedIssuerRecord | Error> = Array.isArray(entries)
    ? Object.fromEntries(entries.map((did: string) => [did, { did, attributes: [] }]))
    : (entries as Record<string, TrustedIssuerRecord | Error>);
  const calls: string[] = [];
  return {
    calls,
    async lookup(did) {
      calls.push(did);
      if (failure) throw failure;
      const e = Object.hasOwn(records, did) ? records[did] : undefined;
      if (e instanceof Error) throw e;
      return e ?? null;
    },
  };
}

/** A legacy revoked_credentials list holding `ids` (or failing with `failure`); records every query. */
export function fakeRevocationList(ids: string[], failure?: Error): RevocationList & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async isRevoked(query) {
      calls.push([...query]);
      if (failure) throw failure;
      return query.some((id) => ids.includes(id));
    },
    status: () => ({ state: failure ? 'failing' : 'ok', lastSuccessAt: undefined, lastFailureAt: undefined, lastError: failure?.message, entries: ids.length }),
  };
}

/** A status list checker answering `outcome` (or throwing it); records every (entry, issuer) query. */
export function fakeStatusLists(outcome: StatusOutcome | Error): StatusListChecker & { calls: Array<[Record<string, unknown>, string]> } {
  const calls: Array<[Record<string, unknown>, string]> = [];
  return {
    calls,
    async check(entry, issuer) {
      calls.push([entry, issuer]);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
}

// --- Assertions -------------------------------------------------------------------------------

/** An assert.throws / assert.rejects predicate: a VerifierError with this code and message (exact, or matching). */
export { verifierError } from '../../shared/expect-verifier-error.ts';
