/**
 * `inspect` of an SD-JWT VC presentation (`<issuer-jwt>~<disclosure>~…~<kb-jwt>`, what the wallet
 * PWA posts): runs the verifier's SD-JWT steps collect-all (core `inspectSdJwt`, the same list the
 * wallet leg stops at on the first failure) and explains every failure with its error code. The
 * KB-JWT `aud` is checked against `--audience` (default: the verifier's client_id, what the PWA
 * sends) and the KB-JWT `nonce` only with `--nonce`.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inspectSdJwt, SD_JWT_STEPS, type Clock, type ErrorCode, type StepFailure } from '@dome-verifier/core';

const MAX_SD_JWT_FILE_BYTES = 1024 * 1024;

/** Compact SD-JWT: an issuer JWT, `~`, disclosures each followed by `~`, an optional KB-JWT. */
const SD_JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~(?:[A-Za-z0-9_-]+~)*(?:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?$/;

export function isSdJwtText(text: string): boolean {
  return SD_JWT_RE.test(text.replace(/\s+/g, ''));
}

/** The SD-JWT text of `arg` (itself or the file it names), or undefined when it is not one. */
export async function readSdJwtInput(arg: string): Promise<string | undefined> {
  if (isSdJwtText(arg)) return arg.replace(/\s+/g, '');
  if (!existsSync(arg) || !statSync(arg).isFile() || statSync(arg).size > MAX_SD_JWT_FILE_BYTES) return undefined;
  const text = await readFile(arg, 'utf8');
  return isSdJwtText(text) ? text.replace(/\s+/g, '') : undefined;
}

export interface SdJwtCheck {
  step: string;
  /** `unknown`: not failed, but after a failure whose output it may have needed (then it did not run). */
  status: 'passed' | 'failed' | 'unknown';
  ok: boolean;
  code?: ErrorCode;
  message?: string;
}

export interface SdJwtInspection {
  kind: 'sd-jwt';
  /** The issuer JWT, decoded without verification. */
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  disclosures: number;
  keyBinding: boolean;
  /** Every step in pipeline order; a step after a failure it depends on counts as not failed (its input was missing). */
  checks: SdJwtCheck[];
  skipped: { step: string; reason: string }[];
  valid: boolean;
}

export interface SdJwtInspectDeps {
  clock: Clock;
  x5c: Parameters<typeof inspectSdJwt>[1]['x5c'];
  clockSkewSeconds: number;
  /** The verifier's client_id (default expected KB-JWT aud). */
  clientId: string;
}

function decodeJson(part: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function inspectSdJwtPresentation(text: string, deps: SdJwtInspectDeps, o: { nonce?: string; audience?: string } = {}): Promise<SdJwtInspection> {
  const presentation = text.replace(/\s+/g, '');
  const parts = presentation.split('~');
  const [h, p] = parts[0]!.split('.');
  const failures: StepFailure[] = await inspectSdJwt(
    { presentation, expectedAudience: o.audience ?? deps.clientId, expectedNonce: o.nonce ?? '' },
    { clock: deps.clock, x5c: deps.x5c, policy: { clockSkewSeconds: deps.clockSkewSeconds } },
  );
  const skipped = o.nonce === undefined ? [{ step: 'sd-jwt-kb-nonce', reason: 'no --nonce (the login nonce)' }] : [];
  const counted = failures.filter((f) => !skipped.some((k) => k.step === f.step));
  const byStep = new Map(counted.map((f) => [f.step, f.error]));
  let failedBefore = false;
  const checks = SD_JWT_STEPS.filter((s) => !skipped.some((k) => k.step === s.name)).map((s): SdJwtCheck => {
    const e = byStep.get(s.name);
    if (e) {
      failedBefore = true;
      return { step: s.name, status: 'failed', ok: false, code: e.code as ErrorCode, message: e.message };
    }
    return failedBefore ? { step: s.name, status: 'unknown', ok: false, message: 'not failed (may have lacked the input of a failed step)' } : { step: s.name, status: 'passed', ok: true };
  });
  return {
    kind: 'sd-jwt',
    header: decodeJson(h),
    claims: decodeJson(p),
    disclosures: parts.slice(1, -1).filter(Boolean).length,
    keyBinding: parts[parts.length - 1] !== '',
    checks,
    skipped,
    valid: counted.length === 0,
  };
}

export function formatSdJwtReport(r: SdJwtInspection): string {
  const lines = [
    'kind: sd-jwt (detected)',
    `issuer header: ${JSON.stringify(r.header)}`,
    `issuer claims: iss=${String(r.claims.iss)} vct=${String(r.claims.vct)} exp=${String(r.claims.exp)}`,
    `disclosures: ${r.disclosures}, key binding JWT: ${r.keyBinding ? 'present' : 'absent'}`,
    '',
    'checks:',
  ];
  const width = Math.max(0, ...r.checks.map((c) => c.step.length));
  for (const c of r.checks) {
    if (c.status === 'passed') lines.push(`  ✓ ${c.step}`);
    else if (c.status === 'unknown') lines.push(`  ? ${c.step.padEnd(width)}  ${c.message ?? ''}`);
    else lines.push(`  ✗ ${c.step.padEnd(width)}  ${c.code ?? '-'}  ${c.message ?? ''}`.trimEnd());
  }
  for (const s of r.skipped) lines.push(`  - ${s.step.padEnd(width)}  skipped: ${s.reason}`);
  const failed = r.checks.filter((c) => c.status === 'failed').length;
  lines.push('', r.valid ? `VALID: no SD-JWT check failed (${r.checks.length} checks)` : `INVALID: ${failed} of ${r.checks.length} SD-JWT checks failed`);
  return `${lines.join('\n')}\n`;
}
