import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { generateP256Key } from '@dome-verifier/client';
import { didKeyToJwk } from '@dome-verifier/did-key';
import {
  createDemoTrustFramework,
  issueLearCredential,
  issueSdJwtVc,
  type CredentialKind,
  type CredentialShape,
  type PowerInput,
} from '@dome-verifier/dev-issuer';
import { CliError, DEFAULT_VERIFIER_URL, demoDirOf, printJson, readDemoSummary, writeSecretFile, type CliIO } from '../io.ts';

interface IssueOptions {
  demo?: true | string;
  issuerUrl?: string;
  kind: CredentialKind;
  format: 'legacy' | 'w3c-v2' | 'sd-jwt';
  shape?: CredentialShape;
  subject?: string;
  days: number;
  power?: PowerInput[];
  firstName?: string;
  lastName?: string;
  email?: string;
  out?: string;
  force?: boolean;
}

const DAY = 86_400_000;

function parseDays(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of days');
  return n;
}

/** `Function:Action[,Action]` → PowerInput (one action stays a string, as IN2 issues it). */
function parsePower(value: string, previous: PowerInput[] | undefined): PowerInput[] {
  const m = /^([^:,\s]+):([^:\s]+)$/.exec(value.trim());
  const actions = m?.[2]?.split(',').filter((a) => a.length > 0) ?? [];
  if (!m || actions.length === 0) throw new InvalidArgumentError('expected Function:Action[,Action]');
  return [...(previous ?? []), { function: m[1]!, action: actions.length === 1 ? actions[0]! : actions }];
}

/** `issue`: a LEARCredentialMachine / LEARCredentialEmployee signed with the demo issuer's eIDAS seal. */
export function issueCommand(io: CliIO): Command {
  return new Command('issue')
    .description('dev issuer: issue a LEAR credential (VC-JWT) signed with the demo trust framework seal')
    .option('--demo [dataDir]', 'use the demo CA/seal under <dataDir>/demo (default VERIFIER_DATA_DIR or ./data; created if missing)')
    .option('--issuer-url <url>', `verifier URL recorded in the demo (default: the demo's, else ${DEFAULT_VERIFIER_URL})`)
    .addOption(new Option('--kind <kind>', 'credential kind').choices(['machine', 'employee']).default('machine'))
    .addOption(
      new Option('--format <format>', 'legacy: the DOME shapes (vc claim); w3c-v2: VCDM 2.0 learcredential.*.w3c.4/.3 (vc+jwt, cnf.jwk); sd-jwt: SD-JWT VC learcredential.*.sd.1')
        .choices(['legacy', 'w3c-v2', 'sd-jwt'])
        .default('legacy'),
    )
    .addOption(new Option('--shape <shape>', 'legacy credential shape (default machine v1, employee v2)').choices(['v1', 'v2', 'v3']))
    .option('--subject <did:key>', 'mandatee did:key (default: a fresh key, written to <out>.key.jwk)')
    .option('--days <n>', 'validity in days', parseDays, 365)
    .option('--power <Function:Action[,Action]>', 'power (repeatable; default Onboarding:Execute, employees also ProductOffering:Create,Update,Delete)', parsePower)
    .option('--first-name <name>', 'employee first name')
    .option('--last-name <name>', 'employee last name')
    .option('--email <email>', 'employee email')
    .option('--out <file>', 'write the JWT here (mode 0600) instead of printing it')
    .option('--force', 'overwrite existing output files')
    .action(async (o: IssueOptions) => {
      if (o.demo === undefined) throw new CliError('issue signs with the demo issuer seal: pass --demo [dataDir]');
      const person = { firstName: o.firstName, lastName: o.lastName, email: o.email };
      const personFields = Object.fromEntries(Object.entries(person).filter(([, v]) => v !== undefined));
      if (o.kind === 'machine' && Object.keys(personFields).length > 0) throw new CliError('--first-name/--last-name/--email apply to --kind employee only');
      if (o.kind === 'machine' && o.shape === 'v3') throw new CliError('LEARCredentialMachine has shapes v1 and v2 only');
      if (o.shape !== undefined && o.format !== 'legacy') throw new CliError('--shape applies to --format legacy only');
      if (o.subject !== undefined) didKeyToJwk(o.subject); // a P-256 did:key, or a DidKeyError

      const dir = demoDirOf(o.demo, io.env);
      const existed = existsSync(join(dir, 'demo.json'));
      const issuerUrl = o.issuerUrl ?? (await readDemoSummary(dir))?.issuerUrl ?? DEFAULT_VERIFIER_URL;
      const demo = await createDemoTrustFramework({ dir, issuerUrl });
      if (!existed) io.stderr(`created the demo trust framework in ${demo.dir}\n`);

      const key = o.subject === undefined ? generateP256Key() : undefined;
      const subject = o.subject ?? key!.did;
      const now = Date.now();
      const validUntil = new Date(now + o.days * DAY);
      const common = {
        seal: demo.seal,
        chain: demo.chain,
        organizationIdentifier: demo.organizationIdentifier,
        mandatee: { id: subject, ...personFields },
        ...(o.power ? { powers: o.power } : {}),
        validFrom: new Date(now - 5 * 60_000),
        validUntil,
      };
      const issued =
        o.format === 'sd-jwt'
          ? (() => {
              const sd = issueSdJwtVc({ ...common, holderJwk: didKeyToJwk(subject), vct: o.kind === 'machine' ? 'learcredential.machine.sd.1' : 'learcredential.employee.sd.1' });
              return { jwt: sd.sdJwt, payload: sd.payload };
            })()
          : issueLearCredential({ ...common, kind: o.kind, format: o.format, ...(o.shape ? { shape: o.shape } : {}), organization: demo.organization });
      const summary = { id: String(issued.payload.jti), issuer: String(issued.payload.iss), subject, format: o.format, validUntil: validUntil.toISOString() };
      if (o.out === undefined) {
        // No file to put a generated subject key next to: it is returned with the credential.
        const credential = o.format === 'sd-jwt' ? { sdJwt: issued.jwt } : { jwt: issued.jwt };
        return printJson(io, { ...credential, ...summary, ...(key ? { subjectPrivateJwk: key.privateJwk } : {}) });
      }
      const keyPath = `${o.out}.key.jwk`;
      for (const file of key ? [o.out, keyPath] : [o.out]) {
        if (!o.force && existsSync(file)) throw new CliError(`${file} already exists (use --force to overwrite)`);
      }
      const keyFile = key ? await writeSecretFile(keyPath, `${JSON.stringify(key.privateJwk, null, 2)}\n`, o.force) : undefined;
      if (keyFile) io.stderr(`wrote the subject's private key to ${keyFile} (mode 0600)\n`);
      const out = await writeSecretFile(o.out, `${issued.jwt}\n`, o.force);
      io.stderr(`wrote the credential to ${out}\n`);
      printJson(io, { ...summary, out, ...(keyFile ? { keyFile } : {}) });
    });
}
