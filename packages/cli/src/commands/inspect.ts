import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, CommanderError, Option, type ErrorOptions } from 'commander';
import { formatSdJwtReport, inspectSdJwtPresentation, readSdJwtInput } from './inspect-sd-jwt.ts';
import { fixedClock, inspectToken, INSPECT_KINDS, InspectInputError, type Clock, type InspectionReport, type InspectKind } from '@dome-verifier/core';
import { ConfigError, loadConfig } from '@dome-verifier/core/config';
import { normaliseCredential } from '@dome-verifier/client';
import type { Logger, Runtime } from '@dome-verifier/server';
import { demoDirOf, errorLine, printJson, readDemoSummary, type CliIO } from '../io.ts';

interface InspectCliOptions {
  config?: string;
  demo?: true | string;
  kind?: InspectKind;
  clientId?: string;
  nonce?: string;
  audience: string[];
  at?: string;
  json?: boolean;
}

/** Exit codes: 0 every check passed, 1 a check failed or did not run, 2 nothing could be inspected (usage, input, configuration). */
export const INSPECT_EXIT = { valid: 0, invalid: 1, usage: 2 } as const;

/** `inspect` reports usage errors (commander's and its own) with exit code 2: 1 means "the token is invalid". */
class InspectCommand extends Command {
  override error(message: string, errorOptions?: ErrorOptions): never {
    return super.error(message, { ...errorOptions, exitCode: INSPECT_EXIT.usage });
  }
}

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_INPUT_BYTES = 1024 * 1024;

/** The compact JWT in `arg`: the text itself or the content of the file it names; whitespace removed; base64 of a JWT decoded. */
async function readJwt(arg: string): Promise<string> {
  let text = arg;
  if (!JWT_RE.test(arg.trim()) && existsSync(arg) && statSync(arg).isFile()) {
    if (statSync(arg).size > MAX_INPUT_BYTES) throw new InspectInputError(`${arg} is larger than ${MAX_INPUT_BYTES} bytes`);
    text = await readFile(arg, 'utf8');
  }
  const compact = text.replace(/\s+/g, '');
  try {
    return normaliseCredential(compact);
  } catch {
    throw new InspectInputError('the input is neither a compact JWT, nor base64 of one, nor a file holding either');
  }
}

const ISO_WITH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
function parseAt(value: string): number {
  const ms = ISO_WITH_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new InspectInputError('--at must be an ISO-8601 date-time with a zone, e.g. 2026-01-31T12:00:00Z');
  return ms;
}

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);
const MAX_VALUE = 96;

/** One-line rendering of a claim value: long values are cut, NumericDates get their ISO time. */
function summarise(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value)) {
    const ms = value > 1e11 ? value : value * 1000;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? String(value) : `${value} (${date.toISOString()})`;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}… (${text.length} characters)` : text;
}

function claimLines(claims: Record<string, unknown>, indent: string): string[] {
  const names = Object.keys(claims);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((n) => `${indent}${n.padEnd(width)}  ${summarise(n, claims[n])}`);
}

/** The human report: decoded header and claims, then one line per check (`✓ step` / `✗ step  CODE  message`). */
export function formatReport(report: InspectionReport, detected: boolean): string {
  const lines: string[] = [];
  lines.push(`kind: ${report.kind}${detected ? ' (detected)' : ''}`);
  lines.push(`header: ${summarise('header', report.header)}`);
  lines.push('claims:', ...claimLines(report.claims, '  '));
  for (const e of report.embedded) {
    lines.push(`embedded ${e.kind} header: ${summarise('header', e.header)}`);
    lines.push(`embedded ${e.kind} claims:`, ...claimLines(e.claims, '  '));
  }
  lines.push('', 'checks:');
  const width = Math.max(0, ...report.checks.map((c) => c.step.length));
  for (const c of report.checks) {
    if (c.ok) lines.push(`  ✓ ${c.step}${c.message ? `${' '.repeat(width - c.step.length)}  ${c.message}` : ''}`);
    else lines.push(`  ✗ ${c.step.padEnd(width)}  ${c.code ?? '-'}  ${c.message ?? ''}`.trimEnd());
  }
  for (const s of report.skipped) lines.push(`  - ${s.step.padEnd(width)}  skipped: ${s.reason}`);
  const failed = report.checks.filter((c) => c.status === 'failed').length;
  const notRun = report.checks.filter((c) => c.status === 'not-run').length;
  const passed = report.checks.length - failed - notRun;
  lines.push(
    '',
    report.valid
      ? `VALID: all ${passed} checks passed`
      : `INVALID: ${failed} failed, ${notRun} not run, ${passed} passed (of ${report.checks.length} checks)`,
  );
  return `${lines.join('\n')}\n`;
}

/** Configuration as the server loads it; `--demo` points VERIFIER_DATA_DIR (and, unless configured, the verifier URL) at the demo. */
async function runtimeEnv(o: InspectCliOptions, io: CliIO): Promise<Record<string, string | undefined>> {
  const env = { ...io.env };
  if (o.demo === undefined) return env;
  const demoDir = demoDirOf(o.demo, io.env);
  env.VERIFIER_DATA_DIR = dirname(demoDir);
  const summary = await readDemoSummary(demoDir);
  // Same URL as the demo was written for: a different one would make the runtime rewrite the demo's client list.
  if (summary && o.config === undefined && env.VERIFIER_BACKEND_URL === undefined) env.VERIFIER_BACKEND_URL = summary.issuerUrl;
  return env;
}

function stderrLogger(io: CliIO, quiet: boolean): Logger {
  return {
    info: () => undefined,
    warn: (_obj, msg) => {
      if (!quiet && msg) io.stderr(`warning: ${msg}\n`);
    },
    error: (_obj, msg) => {
      if (msg) io.stderr(`error: ${msg}\n`);
    },
  };
}

/**
 * `inspect`: runs the verifier's own validation steps on a VC, VP, client assertion, request
 * object or access token and lists every step's outcome, with the runtime built from the same
 * configuration as the server's.
 */
/** `inspect` of an SD-JWT VC presentation (inspect-sd-jwt.ts): every SD-JWT step, failures explained. */
async function runSdJwtInspection(sdJwt: string, runtime: Runtime, o: InspectCliOptions, io: CliIO): Promise<void> {
  let report;
  try {
    report = await inspectSdJwtPresentation(
      sdJwt,
      { clock: runtime.tokenDeps.clock, x5c: runtime.tokenDeps.x5c, clockSkewSeconds: runtime.config.verifier.backend.security.clockSkewSeconds, clientId: runtime.identity.did },
      { ...(o.nonce !== undefined ? { nonce: o.nonce } : {}), ...(o.audience.length > 0 ? { audience: o.audience[0] } : {}) },
    );
  } finally {
    await runtime.close();
  }
  if (o.json) printJson(io, report);
  else io.stdout(formatSdJwtReport(report));
  if (!report.valid) throw new CommanderError(INSPECT_EXIT.invalid, 'dome-verifier.inspect.invalid', 'the SD-JWT presentation did not pass every check');
}

export function inspectCommand(io: CliIO): Command {
  const command: Command = new InspectCommand('inspect');
  return command
    .description("check a VC, VP, client assertion, request object or access token with the verifier's own validation steps (collect-all)")
    .argument('[jwt-or-file]', 'the JWT, base64 of it, or a file holding either')
    .option('--config <file>', 'verifier configuration file (as the server: VERIFIER_CONFIG and VERIFIER_* env apply too)')
    .option('--demo [dataDir]', 'use the demo trust framework under <dataDir>/demo (default VERIFIER_DATA_DIR or ./data)')
    .addOption(new Option('--kind <kind>', 'what the JWT is (default: detected from its shape)').choices(INSPECT_KINDS))
    .option('--client-id <id>', 'vp: the client that must have made the presentation')
    .option('--nonce <nonce>', 'vp, client-assertion: the OpenID4VP nonce the presentation must carry')
    .option('--audience <aud>', 'accepted presentation audience, checked with --nonce (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--at <iso>', 'check as of this time (ISO-8601 with a zone) instead of now')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 every check passed, 1 a check failed or could not run, 2 usage, input or configuration error.')
    .action(async (arg: string | undefined, o: InspectCliOptions) => {
      // `inspect --demo <jwt>`: commander gives the JWT to --demo's optional value.
      if (arg === undefined && typeof o.demo === 'string' && !existsSync(o.demo)) [arg, o.demo] = [o.demo, true];
      if (arg === undefined) command.error("error: missing required argument 'jwt-or-file'");

      let jwt = '';
      let clock: Clock | undefined;
      let sdJwt: string | undefined;
      try {
        sdJwt = await readSdJwtInput(arg);
        if (sdJwt === undefined) jwt = await readJwt(arg);
        clock = o.at === undefined ? undefined : fixedClock(parseAt(o.at));
      } catch (e) {
        return command.error(`error: ${errorLine(e)}`);
      }

      let runtime: Runtime;
      try {
        const config = loadConfig({ ...(o.config !== undefined ? { file: o.config } : {}), env: await runtimeEnv(o, io) });
        const { createRuntime } = await import('@dome-verifier/server');
        runtime = await createRuntime(config, { ...(clock ? { clock } : {}), logger: stderrLogger(io, o.demo !== undefined), allowDevelopmentKey: true });
      } catch (e) {
        return command.error(`error: ${e instanceof ConfigError ? 'configuration: ' : 'cannot build the verifier runtime: '}${errorLine(e)}`);
      }

      if (sdJwt !== undefined) return runSdJwtInspection(sdJwt, runtime, o, io);
      let report: InspectionReport;
      try {
        report = await inspectToken(jwt, runtime, {
          ...(o.kind !== undefined ? { kind: o.kind } : {}),
          ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
          ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
          ...(o.audience.length > 0 ? { audiences: o.audience } : {}),
        });
      } catch (e) {
        if (e instanceof InspectInputError) return command.error(`error: ${errorLine(e)}`);
        throw e;
      } finally {
        await runtime.close();
      }

      if (o.json) printJson(io, report);
      else io.stdout(formatReport(report, o.kind === undefined));
      if (!report.valid) throw new CommanderError(INSPECT_EXIT.invalid, 'dome-verifier.inspect.invalid', 'the token did not pass every check');
    });
}
