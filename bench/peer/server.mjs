/**
 * The peer of `npm run bench:compare`: node-oidc-provider (version pinned in ./package.json)
 * configured for the job of our M2M token endpoint, as far as the provider can do it:
 *
 * - one client, `token_endpoint_auth_method: private_key_jwt`, ES256, inline JWKS;
 * - the `client_credentials` grant;
 * - JWT access tokens, ES256-signed (resource indicators with `accessTokenFormat: 'jwt'` — how v8
 *   issues JWT access tokens for client_credentials), carrying the same extra claims as ours
 *   (`vc`: the LEARCredentialMachine object, …) through `extraTokenClaims`;
 * - replay detection of the client assertion's `jti`: the provider default (its in-memory
 *   adapter), left on.
 *
 * The request bodies (made by bench/compare/bodies.ts) carry the same base64 presentation in a
 * `vp_token` claim of the client assertion, so both servers read bodies of the same size; the
 * provider verifies one signature (the assertion) and signs one (the token), where ours also
 * verifies the presentation and the credential and checks trust lists.
 *
 *   node bench/peer/server.mjs <config.json>
 *
 * config.json (written by bench/compare/peer.ts): { port, issuer, clientId, clientJwk,
 * signingJwk, resource, extraClaims, cookieKey }. Listens on 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: [
    {
      client_id: config.clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      // The provider signs with its one ES256 key (its default for ID tokens is RS256).
      id_token_signed_response_alg: 'ES256',
      jwks: { keys: [config.clientJwk] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [config.signingJwk] },
  cookies: { keys: [config.cookieKey] },
  enabledJWA: { clientAuthSigningAlgValues: ['ES256'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'machine learcredential',
        audience: config.resource,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  extraTokenClaims: () => config.extraClaims,
});

// Requests that fail inside the provider are answered (and counted by the bench as non-200);
// the reason goes to stderr so that a failed run says why.
let reported = 0;
const report = (event) => (ctx, err) => {
  if (reported++ < 5) process.stderr.write(`peer ${event}: ${err?.message ?? err} ${err?.error_description ?? ''}\n`);
};
provider.on('server_error', report('server_error'));
provider.on('grant.error', report('grant.error'));

const server = createServer(provider.callback());
server.listen(config.port, '127.0.0.1', () => process.stdout.write(`peer listening on ${config.issuer}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
