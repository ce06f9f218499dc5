/** Shared CLI plumbing: injectable output, JSON printing, secret files, one-line error messages. */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DemoSummary } from '@dome-verifier/dev-issuer';

export interface CliIO {
  /** Data (JSON) — the command's result. */
  stdout: (text: string) => void;
  /** Human messages and errors. */
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

export const DEFAULT_VERIFIER_URL = 'http://localhost:8080';

/** An expected failure; its message is printed as `error: <message>`. */
export class CliError extends Error {
  override name = 'CliError';
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line, no JWTs or 256-bit hex scalars, bounded length. */
export function errorLine(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e))
    .replace(/eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}/g, '[redacted-jwt]')
    .replace(/\b(?:0x)?[0-9a-fA-F]{64}\b/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length === 0) return 'unknown error';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Writes a file readable by its owner only (0600); refuses to replace an existing file unless `force`. */
export async function writeSecretFile(path: string, text: string, force = false): Promise<string> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, text, { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${file} already exists (use --force to overwrite)`);
    throw e;
  }
  await chmod(file, 0o600);
  return file;
}

/**
 * Demo trust framework directory for `--demo [dataDir]`: `<dataDir>/demo`, dataDir defaulting to
 * VERIFIER_DATA_DIR or ./data (as the server does). A directory holding demo.json itself is accepted too.
 */
export function demoDirOf(demo: true | string, env: CliIO['env']): string {
  const base = resolve(typeof demo === 'string' ? demo : (env.VERIFIER_DATA_DIR ?? './data'));
  if (existsSync(join(base, 'demo.json')) && !existsSync(join(base, 'demo', 'demo.json'))) return base;
  return join(base, 'demo');
}

/** The demo's `demo.json`, or undefined when the demo has not been generated yet. */
export async function readDemoSummary(dir: string): Promise<DemoSummary | undefined> {
  const file = join(dir, 'demo.json');
  if (!existsSync(file)) return undefined;
  const summary = JSON.parse(await readFile(file, 'utf8')) as DemoSummary;
  if (typeof summary?.machine?.keyPath !== 'string' || typeof summary.machine.credentialPath !== 'string') {
    throw new CliError(`${file} does not describe a demo machine`);
  }
  return summary;
}
