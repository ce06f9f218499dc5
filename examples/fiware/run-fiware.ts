/**
 * One command: `npm run example:fiware`. A FIWARE data-space quickstart on loopback:
 * 1. a demo Trusted Issuers List (demo-trust-list.ts) knowing a did:key issuer for `UserCredential`;
 * 2. the verifier with a FIWARE-style service `data-service` in `verifier.fiware.services`
 *    (`allowUnboundVp: true`, because the DSC script's VP carries no aud/nonce/exp — see
 *    docs/fiware.md for the replay risk this accepts) beside the embedded DOME demo defaults;
 * 3. the issuer issues a `UserCredential` with roles to a machine's did:key, and the machine gets
 *    a token the way the DSC helper script does (dsc-client.ts);
 * 4. the decoded access token is printed, as a data service's gateway (APISIX + OPA) reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signJws } from '@dome-verifier/core';
import { loadConfig } from '@dome-verifier/core/config';
import { generateP256 } from '@dome-verifier/dev-issuer';
import { buildApp, createMetrics, createRuntime } from '@dome-verifier/server';
import { startDemoTrustList } from './demo-trust-list.ts';
import { getAccessToken } from './dsc-client.ts';

export interface FiwareExampleOptions {
  port?: number;
  host?: string;
  /** Verifier data directory; default a fresh temporary directory. */
  dataDir?: string;
}

export interface FiwareExampleResult {
  issuer: string;
  tokenResponse: Record<string, unknown>;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

const decode = (jwt: string, part: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The service the quickstart configures, in VCVerifier's ConfiguredService shape. */
export function quickstartServices(trustListUrl: string): Array<Record<string, unknown>> {
  return [
    {
      id: 'data-service',
      defaultOidcScope: 'default',
      authorizationType: 'DEEPLINK',
      oidcScopes: {
        default: {
          credentials: [{ type: 'UserCredential', trustedIssuersLists: [trustListUrl], jwtInclusion: { enabled: true, fullInclusion: true } }],
          dcql: { credentials: [{ id: 'user-query', format: 'jwt_vc_json', meta: { type_values: [['UserCredential']] } }] },
        },
      },
      allowUnboundVp: true,
    },
  ];
}

export async function runFiwareExample(o: FiwareExampleOptions = {}): Promise<FiwareExampleResult> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 8081;
  const issuer = `http://${host}:${port}`;
  const ownDir = o.dataDir === undefined;
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'dome-example-fiware-'));
  const credentialIssuer = generateP256();
  const machine = generateP256();
  const til = await startDemoTrustList(credentialIssuer.did, ['UserCredential']);
  const closers: Array<() => Promise<unknown>> = [() => til.close()];
  try {
    const config = loadConfig({ env: { VERIFIER_BACKEND_URL: issuer, VERIFIER_DATA_DIR: dataDir, VERIFIER_FIWARE_SERVICES: JSON.stringify(quickstartServices(til.url)) } });
    const runtime = await createRuntime(config);
    closers.push(() => runtime.close());
    const app = await buildApp(runtime, { metrics: createMetrics() });
    closers.push(() => app.close());
    await app.listen({ host, port });

    // The consumer's issuer (Keycloak in the DSC) issues a UserCredential to the machine.
    const now = Math.floor(Date.now() / 1000);
    const credential = signJws(
      { alg: 'ES256', typ: 'JWT', kid: credentialIssuer.did },
      {
        iss: credentialIssuer.did,
        sub: machine.did,
        jti: `urn:uuid:${crypto.randomUUID()}`,
        nbf: now,
        exp: now + 3600,
        vc: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['UserCredential'],
          issuer: credentialIssuer.did,
          credentialSubject: { id: machine.did, firstName: 'Test', lastName: 'User', email: 'test@consumer.example', roles: [{ names: ['OPERATOR'], target: 'did:web:provider.example' }] },
        },
      },
      credentialIssuer.privateKey,
    );

    const tokenResponse = await getAccessToken(`${issuer}/services/data-service/.well-known/openid-configuration`, { did: machine.did, privateKey: machine.privateKey }, credential, 'default');
    const token = tokenResponse.access_token as string;
    return { issuer, tokenResponse, header: decode(token, 0), claims: decode(token, 1) };
  } finally {
    for (const c of closers.reverse()) await c();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runFiwareExample().then(
    (r) => {
      const { access_token: _a, id_token: _i, ...rest } = r.tokenResponse;
      process.stdout.write(
        [
          `verifier ${r.issuer}: POST /services/data-service/token (grant_type=vp_token, the DSC helper script's request)`,
          `token response: ${JSON.stringify({ ...rest, access_token: '<JWT>', id_token: '<the same JWT>' })}`,
          `access token header: ${JSON.stringify(r.header)}`,
          `access token claims: ${JSON.stringify(r.claims, null, 2)}`,
          `a gateway policy (APISIX + OPA) reads verifiableCredential.credentialSubject.roles: ${JSON.stringify((r.claims.verifiableCredential as { credentialSubject: { roles: unknown } }).credentialSubject.roles)}`,
          '',
        ].join('\n'),
      );
    },
    (e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      process.stderr.write(`example:fiware failed: ${code === 'EADDRINUSE' ? 'port 8081 is in use' : e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
