import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createIntermediateCa, createRootCa, createSealCertificate, generateP256, issueLearCredential,
  type DevCertificate, type IssueOptions,
} from '@dome-verifier/dev-issuer';
import { decodeJws } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { TrustedIssuerRecord, TrustedIssuersRegistry } from '../../trust/trusted-issuers.ts';
import { mapLearCredential } from '../lear-credential.ts';
import type { PresentationContext, PresentationDeps, PresentationState } from '../context.ts';
import { credentialObject } from './parse-presentation.ts';
import { checkMandator } from './check-mandator.ts';

const ORG = 'VATES-T0000001';
const MANDATOR_ORG = 'VATES-M0000002';
const NOW = Date.parse('2025-06-01T12:00:00Z');
const HOLDER = generateP256().did;

let intermediate: DevCertificate;
let seal: DevCertificate;

before(async () => {
  const root = await createRootCa({ keyAlg: 'ES256' });
  intermediate = await createIntermediateCa(root, { keyAlg: 'ES256' });
  seal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256' });
});

function stateOf(o: Partial<IssueOptions> = {}): PresentationState {
  const { jwt } = issueLearCredential({
    kind: 'machine', seal, chain: [intermediate], organizationIdentifier: ORG, mandatee: { id: HOLDER },
    mandator: { organizationIdentifier: MANDATOR_ORG }, validFrom: new Date(NOW - 86_400_000), validUntil: new Date(NOW + 86_400_000), ...o,
  });
  const vc = decodeJws(jwt, { maxLength: 64 * 1024, maxHeaderLength: 24 * 1024 });
  const mapped = mapLearCredential(credentialObject(vc.payload)!);
  assert.ok(mapped.ok);
  return { vc, credential: mapped.credential };
}

/** Edits the mandator of the issued credential before signing. */
const mandatorEdit = (edit: (m: Record<string, unknown>) => void): Partial<IssueOptions> => ({
  transform: ({ payload }) => edit((payload.vc as { credentialSubject: { mandate: { mandator: Record<string, unknown> } } }).credentialSubject.mandate.mandator),
});

function til(known: string[], failure?: Error): TrustedIssuersRegistry & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async lookup(did): Promise<TrustedIssuerRecord | null> {
      calls.push(did);
      if (failure) throw failure;
      return known.includes(did) ? { did, attributes: [] } : null;
    },
  };
}

function ctx(state: PresentationState, issuers: TrustedIssuersRegistry): PresentationContext {
  const deps: PresentationDeps = {
    clock: fixedClock(NOW),
    policy: { clockSkewSeconds: 60, acceptMillisecondTimestamps: true },
    issuers,
    revocation: undefined,
    statusLists: { check: () => Promise.reject(new Error('unexpected status list check')) },
    x5c: () => {
      throw new Error('unexpected x5c verification');
    },
  };
  return { input: { vpJwt: 'unused', expectedKind: 'machine' }, deps, state };
}

async function rejects(c: PresentationContext, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(async () => checkMandator.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.message, message);
    return true;
  });
}

describe('checkMandator', () => {
  test('is named mandator-trusted', () => {
    assert.equal(checkMandator.name, 'mandator-trusted');
  });

  test('accepts a mandator whose organisation is listed as did:elsi:{organizationIdentifier}', async () => {
    const reg = til([`did:elsi:${MANDATOR_ORG}`]);
    await checkMandator.run(ctx(stateOf(), reg));
    assert.deepEqual(reg.calls, [`did:elsi:${MANDATOR_ORG}`]);
  });

  test('does not prefix an organizationIdentifier that is already a did:elsi', async () => {
    const reg = til([`did:elsi:${MANDATOR_ORG}`]);
    await checkMandator.run(ctx(stateOf(mandatorEdit((m) => void (m.organizationIdentifier = `did:elsi:${MANDATOR_ORG}`))), reg));
    assert.deepEqual(reg.calls, [`did:elsi:${MANDATOR_ORG}`]);
  });

  test('looks up the mandator, not the issuer: an untrusted mandator of a trusted issuer is refused', async () => {
    const reg = til([`did:elsi:${ORG}`]);
    await rejects(ctx(stateOf(), reg), 'ERR_MANDATOR_NOT_TRUSTED', 'the mandator organisation is not in the Trusted Issuers List');
    assert.deepEqual(reg.calls, [`did:elsi:${MANDATOR_ORG}`]);
  });

  test('reads the mandator of every credential shape (machine v2 mandator carries its own id)', async () => {
    await checkMandator.run(ctx(stateOf({ shape: 'v2' }), til([`did:elsi:${MANDATOR_ORG}`])));
    await checkMandator.run(ctx(stateOf({ kind: 'employee', shape: 'v1' }), til([`did:elsi:${MANDATOR_ORG}`])));
  });

  test('refuses a mandator without an organizationIdentifier, without a lookup', async () => {
    for (const edit of [(m: Record<string, unknown>) => void delete m.organizationIdentifier, (m: Record<string, unknown>) => void (m.organizationIdentifier = ''), (m: Record<string, unknown>) => void (m.organizationIdentifier = 42)]) {
      const reg = til([`did:elsi:${MANDATOR_ORG}`]);
      await rejects(ctx(stateOf(mandatorEdit(edit)), reg), 'ERR_VC_MALFORMED', 'the credential mandator has no organizationIdentifier');
      assert.deepEqual(reg.calls, []);
    }
  });

  test('propagates a Trusted Issuers List outage (fails closed)', async () => {
    const reg = til([], new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the Trusted Issuers List is unavailable; try again later'));
    await rejects(ctx(stateOf(), reg), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the Trusted Issuers List is unavailable; try again later');
  });

  test('does nothing without a mapped credential', async () => {
    const reg = til([]);
    await checkMandator.run(ctx({}, reg));
    assert.deepEqual(reg.calls, []);
  });
});
