import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import { decodeJws, verifyJws } from '@dome-verifier/core/jws';
import { createDemoTrustFramework } from './demo-trust-framework.ts';
import { loadP256PrivateKey } from './keys.ts';

const dir = mkdtempSync(`${tmpdir()}/dv-`);
after(() => rmSync(dir, { recursive: true, force: true }));
const ISSUER = 'http://localhost:8080';
const NOW = new Date();

const first = await createDemoTrustFramework({ dir, issuerUrl: ISSUER, now: NOW });

test('the demo framework is created once and reloaded identically on the second call', async () => {
  const before = readFileSync(join(dir, 'demo.json'), 'utf8');
  const second = await createDemoTrustFramework({ dir, issuerUrl: ISSUER });
  assert.equal(readFileSync(join(dir, 'demo.json'), 'utf8'), before);
  const strip = (d: typeof first) => ({ ...d, root: d.root.x5c, seal: d.seal.x5c, chain: d.chain.map((c) => c.x5c) });
  assert.deepEqual(strip(second), strip(first));
  assert.ok(second.seal.privateKey.equals(first.seal.privateKey));
  assert.deepEqual(JSON.parse(before), {
    issuerDid: first.issuerDid,
    organizationIdentifier: first.organizationIdentifier,
    organization: first.organization,
    issuerUrl: ISSUER,
    machine: first.machine,
    rp: first.rp,
    paths: first.paths,
  });
});

test('demo layout: trust anchor PEM = root, private material mode 0600, issuer did:elsi:VATES-D0000001', () => {
  assert.equal(first.issuerDid, 'did:elsi:VATES-D0000001');
  assert.equal(first.organizationIdentifier, 'VATES-D0000001');
  assert.equal(readFileSync(first.paths.trustAnchors, 'utf8'), first.root.certificatePem);
  for (const f of ['ca/root.json', 'ca/intermediate.json', 'ca/seal.json', 'machine/key.jwk', 'rp/key.jwk']) {
    assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  }
  const seal = new X509Certificate(first.seal.certificatePem);
  const inter = new X509Certificate(first.chain[0]!.certificatePem);
  const root = new X509Certificate(first.root.certificatePem);
  assert.ok(seal.checkIssued(inter) && seal.verify(inter.publicKey));
  assert.ok(inter.checkIssued(root) && inter.verify(root.publicKey));
  assert.match(seal.subject, /organizationIdentifier=VATES-D0000001/);
  assert.equal(first.seal.keyAlg, 'RS256');
});

test('TIL directory: one EBSI TIR v4 file named exactly by the DID, one attribute per credentials type', () => {
  assert.ok(first.paths.trustedIssuersListUrl.endsWith('/'));
  assert.deepEqual(readdirSync(first.paths.trustedIssuersListUrl), ['did:elsi:VATES-D0000001']);
  const doc = JSON.parse(readFileSync(first.paths.trustedIssuersListUrl + first.issuerDid, 'utf8'));
  assert.equal(doc.did, first.issuerDid);
  const bodies = doc.attributes.map((a: Record<string, string>) => {
    assert.equal(a.issuerType, 'Undefined');
    assert.match(a.hash!, /^[A-Za-z0-9+/]+=*$/);
    return JSON.parse(Buffer.from(a.body!, 'base64').toString('utf8'));
  });
  assert.deepEqual(bodies.map((b: Record<string, unknown>) => b.credentialsType), ['LEARCredentialMachine', 'LEARCredentialEmployee', 'learcredential.machine.w3c.3', 'learcredential.employee.w3c.4', 'learcredential.machine.sd.1', 'learcredential.employee.sd.1'], 'every format the CLI issues (issue --format legacy|w3c-v2|sd-jwt)');
  const from = Date.parse(bodies[0].validFor.from);
  const to = Date.parse(bodies[0].validFor.to);
  assert.equal(from, NOW.getTime() - 86_400_000);
  assert.ok(to > NOW.getTime() + 4.9 * 365 * 86_400_000);
  assert.deepEqual(bodies[0].claims, []);
});

test('trusted services list: machine client (client_credentials) and RP (authorization_code) with jwkSetUrl = issuer/oidc/did/<did>', () => {
  const tsl = parse(readFileSync(first.paths.trustedServicesListUrl, 'utf8'));
  const [m, rp] = tsl.clients;
  assert.deepEqual(m, {
    clientId: first.machine.did,
    url: 'http://localhost:8081',
    redirectUris: [],
    scopes: [],
    clientAuthenticationMethods: ['client_secret_jwt'],
    authorizationGrantTypes: ['client_credentials'],
    postLogoutRedirectUris: [],
    requireAuthorizationConsent: false,
    requireProofKey: false,
    jwkSetUrl: `${ISSUER}/oidc/did/${first.machine.did}`,
    tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
  });
  assert.equal(rp.clientId, first.rp.did);
  assert.deepEqual(rp.redirectUris, ['http://localhost:3000/callback']);
  assert.deepEqual(rp.authorizationGrantTypes, ['authorization_code', 'refresh_token']);
  assert.equal(rp.jwkSetUrl, `${ISSUER}/oidc/did/${first.rp.did}`);
  const revoked = readFileSync(first.paths.revokedCredentialListUrl, 'utf8');
  assert.match(revoked, /^#/);
  assert.deepEqual(parse(revoked), { revoked_credentials: [] });
});

test('machine credential: LEARCredentialMachine v1 for the machine did, signed by the demo seal, valid now-1h … now+1y', () => {
  const key = loadP256PrivateKey(readFileSync(first.machine.keyPath, 'utf8'));
  assert.equal(key.did, first.machine.did);
  assert.equal(readFileSync(join(dir, 'machine', 'did.txt'), 'utf8').trim(), first.machine.did);
  assert.equal(loadP256PrivateKey(readFileSync(first.rp.keyPath, 'utf8')).did, first.rp.did);
  assert.equal(readFileSync(join(dir, 'rp', 'did.txt'), 'utf8').trim(), first.rp.did);
  const jws = decodeJws(readFileSync(first.machine.credentialPath, 'utf8').trim(), { maxLength: 100_000, maxHeaderLength: 24 * 1024 });
  assert.deepEqual(jws.header.x5c, [first.seal.x5c, first.chain[0]!.x5c]);
  verifyJws(jws, new X509Certificate(Buffer.from(jws.header.x5c![0]!, 'base64')).publicKey, { algorithms: ['RS256'], crit: ['sigT'] });
  const vc = jws.payload.vc as Record<string, any>;
  assert.equal(jws.payload.iss, first.issuerDid);
  assert.equal(jws.payload.sub, first.machine.did);
  assert.deepEqual(vc.type, ['LEARCredentialMachine', 'VerifiableCredential']);
  assert.equal(vc.credentialSubject.mandate.mandatee.id, first.machine.did);
  assert.equal(vc.credentialSubject.mandate.mandator.organizationIdentifier, 'VATES-D0000001');
  assert.equal(Date.parse(vc.validFrom), NOW.getTime() - 3_600_000);
  assert.ok(Date.parse(vc.validUntil) > NOW.getTime() + 364 * 86_400_000);
});

test('a different issuerUrl on reload keeps every identity and only rewrites the jwkSetUrls', async () => {
  const other = mkdtempSync(`${tmpdir()}/dv-`);
  try {
    const a = await createDemoTrustFramework({ dir: other, issuerUrl: 'http://localhost:8080' });
    const b = await createDemoTrustFramework({ dir: other, issuerUrl: 'https://verifier.example/' });
    assert.equal(b.machine.did, a.machine.did);
    assert.equal(b.seal.x5c, a.seal.x5c);
    assert.equal(b.issuerUrl, 'https://verifier.example/');
    const tsl = parse(readFileSync(b.paths.trustedServicesListUrl, 'utf8'));
    assert.equal(tsl.clients[0].jwkSetUrl, `https://verifier.example/oidc/did/${a.machine.did}`);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
