import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ASSERTION_ALGORITHMS } from '../client-auth/check-assertion-header.ts';
import { createDiscoveryDocument } from './create-discovery-document.ts';

const ISSUER = 'https://verifier.dome-marketplace.eu';

describe('createDiscoveryDocument', () => {
  test('describes exactly what the M2M server implements', () => {
    assert.deepEqual(createDiscoveryDocument(ISSUER, { grantTypes: ['client_credentials'] }), {
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/oidc/token`,
      jwks_uri: `${ISSUER}/oidc/jwks`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      scopes_supported: ['learcredential', 'machine'],
      response_types_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'vc'],
    });
  });

  test('scopes_supported lists the DCQL profile scopes an RP may ask for, each once', () => {
    const doc = createDiscoveryDocument(ISSUER, {
      grantTypes: ['authorization_code'],
      authorizationEndpoint: true,
      profileScopes: ['learcredential', 'learcredential.employee', 'learcredential.machine'],
    });
    assert.deepEqual(doc.scopes_supported, ['openid', 'learcredential', 'profile', 'email', 'machine', 'learcredential.employee', 'learcredential.machine']);
  });

  test('advertises the assertion algorithms the server accepts, never none or HMAC', () => {
    const algs = createDiscoveryDocument(ISSUER, { grantTypes: [] }).token_endpoint_auth_signing_alg_values_supported as string[];
    assert.deepEqual(algs, [...ASSERTION_ALGORITHMS]);
    assert.equal(algs.some((a: string) => a === 'none' || a.startsWith('HS')), false);
  });

  test('adds the authorization endpoint and response type code only when the authorization endpoint exists', () => {
    const doc = createDiscoveryDocument(ISSUER, { grantTypes: ['authorization_code', 'client_credentials'], authorizationEndpoint: true });
    assert.equal(doc.authorization_endpoint, `${ISSUER}/oidc/authorize`);
    assert.deepEqual(doc.response_types_supported, ['code']);
    assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'client_credentials']);
    assert.equal('authorization_endpoint' in createDiscoveryDocument(ISSUER, { grantTypes: [], authorizationEndpoint: false }), false);
  });

  test('advertises none of the IN2 features that never worked (userinfo, device code, token exchange, mTLS, RS256 id tokens)', () => {
    const doc = createDiscoveryDocument(ISSUER, { grantTypes: ['client_credentials'], authorizationEndpoint: true });
    for (const key of ['userinfo_endpoint', 'device_authorization_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'mtls_endpoint_aliases', 'tls_client_certificate_bound_access_tokens']) {
      assert.equal(key in doc, false, key);
    }
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['ES256']);
  });

  test('advertises revocation and introspection, with their client authentication, only when the endpoints are served', () => {
    const doc = createDiscoveryDocument(ISSUER, { grantTypes: ['authorization_code'], authorizationEndpoint: true, revocationAndIntrospection: true });
    assert.equal(doc.revocation_endpoint, `${ISSUER}/oidc/revoke`);
    assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, ['private_key_jwt', 'none']);
    assert.deepEqual(doc.revocation_endpoint_auth_signing_alg_values_supported, [...ASSERTION_ALGORITHMS]);
    assert.equal(doc.introspection_endpoint, `${ISSUER}/oidc/introspect`);
    assert.deepEqual(doc.introspection_endpoint_auth_methods_supported, ['private_key_jwt'], 'introspection needs an authenticated client');
    assert.deepEqual(doc.introspection_endpoint_auth_signing_alg_values_supported, [...ASSERTION_ALGORITHMS]);
    const m2m = createDiscoveryDocument(ISSUER, { grantTypes: ['client_credentials'], revocationAndIntrospection: true });
    assert.deepEqual(m2m.revocation_endpoint_auth_methods_supported, ['private_key_jwt'], 'no public clients without the authorization endpoint');
  });

  test('returns fresh arrays: editing one document changes neither the next one nor the inputs', () => {
    const grantTypes = ['client_credentials'];
    const doc = createDiscoveryDocument(ISSUER, { grantTypes });
    (doc.grant_types_supported as string[]).push('password');
    (doc.token_endpoint_auth_signing_alg_values_supported as string[]).push('HS256');
    assert.deepEqual(grantTypes, ['client_credentials']);
    assert.equal(ASSERTION_ALGORITHMS.includes('HS256' as never), false);
    assert.deepEqual(createDiscoveryDocument(ISSUER, { grantTypes }).grant_types_supported, ['client_credentials']);
  });

  test('derives every endpoint from the issuer by plain concatenation', () => {
    const doc = createDiscoveryDocument('http://localhost:8080', { grantTypes: [] });
    assert.equal(doc.token_endpoint, 'http://localhost:8080/oidc/token');
    assert.equal(doc.jwks_uri, 'http://localhost:8080/oidc/jwks');
  });
});
