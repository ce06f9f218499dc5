/**
 * A self-contained demo trust framework on disk: dev CA chain, a did:elsi issuer with an eIDAS seal,
 * a trusted-issuers list directory (EBSI TIR v4 documents, one file per DID), a DOME trusted
 * services list, an empty revoked-credentials list, a machine (did:key + LEARCredentialMachine)
 * and a demo H2M relying party. Idempotent: once `demo.json` exists it is loaded, never
 * regenerated, so the demo survives restarts.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  createDevChain,
  createSealCertificate,
  deserialiseDevCertificate,
  serialiseDevCertificate,
  type DevCertificate,
} from './ca.ts';
import { generateP256 } from './keys.ts';
import { issueLearCredential } from './issue-credential.ts';

export const DEMO_ORGANIZATION_IDENTIFIER = 'VATES-D0000001';
export const DEMO_ORGANIZATION = 'DOME Demo Issuer S.L.';
export const DEMO_COUNTRY = 'ES';
export const DEMO_MACHINE_URL = 'http://localhost:8081';
export const DEMO_RP_URL = 'http://localhost:3000';

export interface DemoSummary {
  issuerDid: string;
  organizationIdentifier: string;
  organization: string;
  /** verifier.backend.url the TSL jwkSetUrls were written for. */
  issuerUrl: string;
  machine: { did: string; keyPath: string; credentialPath: string };
  rp: { did: string; keyPath: string };
  paths: {
    /** PEM file of the root CA (trust anchor). */
    trustAnchors: string;
    /** Directory of EBSI TIR documents, WITH trailing slash (lookup = this + DID). */
    trustedIssuersListUrl: string;
    trustedServicesListUrl: string;
    revokedCredentialListUrl: string;
  };
}

export interface DemoTrustFramework extends DemoSummary {
  /** Absolute directory holding the demo. */
  dir: string;
  root: DevCertificate;
  /** Issuer eIDAS seal (x5c leaf). */
  seal: DevCertificate;
  /** x5c after the leaf: [intermediate]. */
  chain: DevCertificate[];
}

export interface CreateDemoTrustFrameworkOptions {
  dir: string;
  /** The verifier's public URL (`verifier.backend.url`), used for the clients' `jwkSetUrl`. */
  issuerUrl: string;
  now?: Date;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;

async function writeText(path: string, text: string, mode = 0o644): Promise<void> {
  await writeFile(path, text, { mode });
  await chmod(path, mode);
}

async function writeSecret(path: string, text: string): Promise<void> {
  await writeText(path, text, 0o600);
}

/** EBSI TIR v4 issuer document (FIWARE TIL `GET /v4/issuers/{did}`), dome-verifier-wire.md §4.3. */
export function tirIssuerDocument(did: string, credentialsTypes: string[], validFor: { from: string; to: string }): Record<string, unknown> {
  return {
    did,
    attributes: credentialsTypes.map((credentialsType) => {
      const body = Buffer.from(JSON.stringify({ validFor, credentialsType, claims: [] })).toString('base64');
      return {
        hash: createHash('sha256').update(body).digest('base64'),
        body,
        issuerType: 'Undefined',
        tao: '',
        rootTao: '',
      };
    }),
  };
}

/** One Trusted Services List entry in the DOME shape, for a did:key client whose jwkSetUrl is the verifier's did resolver. */
export function trustedServiceEntry(o: { clientId: string; url: string; issuerUrl: string; grantTypes: string[]; redirectUris?: string[]; scopes?: string[]; postLogoutRedirectUris?: string[] }): Record<string, unknown> {
  return {
    clientId: o.clientId,
    url: o.url,
    redirectUris: o.redirectUris ?? [],
    scopes: o.scopes ?? [],
    clientAuthenticationMethods: ['client_secret_jwt'],
    authorizationGrantTypes: o.grantTypes,
    postLogoutRedirectUris: o.postLogoutRedirectUris ?? [],
    requireAuthorizationConsent: false,
    requireProofKey: false,
    jwkSetUrl: `${o.issuerUrl.replace(/\/+$/, '')}/oidc/did/${o.clientId}`,
    tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
  };
}

function tslClients(issuerUrl: string, machineDid: string, rpDid: string): string {
  const doc = {
    clients: [
      trustedServiceEntry({ clientId: machineDid, url: DEMO_MACHINE_URL, issuerUrl, grantTypes: ['client_credentials'] }),
      trustedServiceEntry({
        clientId: rpDid,
        url: DEMO_RP_URL,
        issuerUrl,
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [`${DEMO_RP_URL}/callback`],
        scopes: ['openid_learcredential'],
        postLogoutRedirectUris: [`${DEMO_RP_URL}/`],
      }),
    ],
  };
  return `# DOME Verifier demo trusted services list (generated; DOME TF trusted_services_list.yaml shape)\n# 1st client: demo machine (M2M, client_credentials); 2nd client: demo relying party (H2M)\n${stringify(doc)}`;
}

async function loadCert(dir: string, name: string): Promise<DevCertificate> {
  const text = await readFile(join(dir, 'ca', `${name}.json`), 'utf8');
  return deserialiseDevCertificate(JSON.parse(text) as { certificatePem: string; privateKeyPem: string; keyAlg: string });
}

async function writeSummary(dir: string, summary: DemoSummary): Promise<void> {
  const tmp = join(dir, `demo.json.${process.pid}.tmp`);
  await writeText(tmp, `${JSON.stringify(summary, null, 2)}\n`);
  await rename(tmp, join(dir, 'demo.json'));
}

async function load(dir: string, issuerUrl: string): Promise<DemoTrustFramework> {
  let summary: DemoSummary;
  try {
    summary = JSON.parse(await readFile(join(dir, 'demo.json'), 'utf8')) as DemoSummary;
  } catch (e) {
    throw new Error(`cannot read ${join(dir, 'demo.json')}: ${e instanceof Error ? e.message : String(e)} (delete the directory to regenerate the demo)`);
  }
  const [root, intermediate, seal] = await Promise.all([loadCert(dir, 'root'), loadCert(dir, 'intermediate'), loadCert(dir, 'seal')]);
  if (summary.issuerUrl !== issuerUrl) {
    // Same identities, new verifier URL: only the clients' jwkSetUrls change.
    await writeText(summary.paths.trustedServicesListUrl, tslClients(issuerUrl, summary.machine.did, summary.rp.did));
    summary = { ...summary, issuerUrl };
    await writeSummary(dir, summary);
  }
  return { ...summary, dir, root, seal, chain: [intermediate] };
}

/** Creates (first call) or loads (later calls) the demo trust framework under `dir`. */
export async function createDemoTrustFramework(o: CreateDemoTrustFrameworkOptions): Promise<DemoTrustFramework> {
  const dir = resolve(o.dir);
  if (existsSync(join(dir, 'demo.json'))) return load(dir, o.issuerUrl);

  const now = o.now ?? new Date();
  const t = now.getTime();
  for (const sub of ['ca', 'til', 'machine', 'rp']) await mkdir(join(dir, sub), { recursive: true });

  // CA chain root → intermediate → seal (RS256, as DOME VCs are).
  const { root, intermediate } = await createDevChain({ notBefore: new Date(t - DAY), notAfter: new Date(t + 10 * YEAR) });
  const seal = await createSealCertificate(intermediate, {
    organizationIdentifier: DEMO_ORGANIZATION_IDENTIFIER,
    organization: DEMO_ORGANIZATION,
    country: DEMO_COUNTRY,
    serialNumber: DEMO_ORGANIZATION_IDENTIFIER.slice(DEMO_ORGANIZATION_IDENTIFIER.indexOf('-') + 1),
    keyAlg: 'RS256',
    notBefore: new Date(t - DAY),
    notAfter: new Date(t + 5 * YEAR),
  });
  const trustAnchors = join(dir, 'ca', 'root.pem');
  await writeText(trustAnchors, root.certificatePem);
  for (const [name, cert] of [['root', root], ['intermediate', intermediate], ['seal', seal]] as const) {
    await writeSecret(join(dir, 'ca', `${name}.json`), `${JSON.stringify(serialiseDevCertificate(cert), null, 2)}\n`);
  }

  // Trusted issuers list: the issuer DID (which is also the mandator organisation).
  const issuerDid = `did:elsi:${DEMO_ORGANIZATION_IDENTIFIER}`;
  const validFor = { from: new Date(t - DAY).toISOString(), to: new Date(t + 5 * YEAR).toISOString() };
  const tilDir = join(dir, 'til');
  await writeText(
    join(tilDir, issuerDid),
    `${JSON.stringify(tirIssuerDocument(issuerDid, ['LEARCredentialMachine', 'LEARCredentialEmployee', 'learcredential.machine.w3c.3', 'learcredential.employee.w3c.4', 'learcredential.machine.sd.1', 'learcredential.employee.sd.1'], validFor), null, 2)}\n`,
  );

  // Machine and relying-party identities.
  const machine = generateP256();
  const rp = generateP256();
  const machineKeyPath = join(dir, 'machine', 'key.jwk');
  const rpKeyPath = join(dir, 'rp', 'key.jwk');
  await writeSecret(machineKeyPath, `${JSON.stringify(machine.privateJwk, null, 2)}\n`);
  await writeText(join(dir, 'machine', 'did.txt'), `${machine.did}\n`);
  await writeSecret(rpKeyPath, `${JSON.stringify(rp.privateJwk, null, 2)}\n`);
  await writeText(join(dir, 'rp', 'did.txt'), `${rp.did}\n`);

  const { jwt } = issueLearCredential({
    kind: 'machine',
    shape: 'v1',
    seal,
    chain: [intermediate],
    organizationIdentifier: DEMO_ORGANIZATION_IDENTIFIER,
    organization: DEMO_ORGANIZATION,
    country: DEMO_COUNTRY,
    mandatee: { id: machine.did, domain: DEMO_MACHINE_URL },
    validFrom: new Date(t - 3_600_000),
    validUntil: new Date(t + YEAR),
    signingTime: now,
  });
  const credentialPath = join(dir, 'machine', 'credential.jwt');
  await writeSecret(credentialPath, `${jwt}\n`);

  const trustedServicesListUrl = join(dir, 'trusted_services_list.yaml');
  await writeText(trustedServicesListUrl, tslClients(o.issuerUrl, machine.did, rp.did));
  const revokedCredentialListUrl = join(dir, 'revoked_credential_list.yaml');
  await writeText(revokedCredentialListUrl, '# A list of revoked VCs (e.g. "a8a6a7f4-c195-4121-894c-af1f26299920")\nrevoked_credentials: []\n');

  const summary: DemoSummary = {
    issuerDid,
    organizationIdentifier: DEMO_ORGANIZATION_IDENTIFIER,
    organization: DEMO_ORGANIZATION,
    issuerUrl: o.issuerUrl,
    machine: { did: machine.did, keyPath: machineKeyPath, credentialPath },
    rp: { did: rp.did, keyPath: rpKeyPath },
    paths: { trustAnchors, trustedIssuersListUrl: `${tilDir}/`, trustedServicesListUrl, revokedCredentialListUrl },
  };
  await writeSummary(dir, summary); // last: a half-written demo is regenerated on the next start
  return { ...summary, dir, root, seal, chain: [intermediate] };
}
