import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load-config.ts';
import { FIWARE_LIMITS, parseFiwareService, parseFiwareServices, requestedFiwareScopes, type FiwareService } from './service-config.ts';
import { staticServiceRegistry } from './service-registry.ts';

import { DSC_DATA_SERVICE } from './dsc-registrations.ts';

function parsed(input: unknown): FiwareService {
  const result = parseFiwareService(input);
  if ('problems' in result) assert.fail(JSON.stringify(result.problems));
  return result.service;
}

function problems(input: unknown): string[] {
  const result = parseFiwareService(input);
  assert.ok('problems' in result, 'expected the service to be refused');
  return result.problems.map((p) => `${p.path}: ${p.reason}`);
}

const root = mkdtempSync(join(tmpdir(), 'fiware-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function yamlFile(text: string): string {
  const path = join(root, `application-${counter++}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('FIWARE service model (VCVerifier ConfiguredService JSON)', () => {
  test("the Data Space Connector's registration is accepted, with VCVerifier's defaults filled in", () => {
    const s = parsed(DSC_DATA_SERVICE);
    const credential = s.oidcScopes['default']!.credentials[0]!;
    assert.deepEqual(credential.trustedParticipantsLists, [{ type: 'ebsi', url: 'https://tir.trust-anchor.example' }]);
    assert.deepEqual(credential.trustedIssuersLists, ['http://trusted-issuers-list:8080']);
    assert.deepEqual(credential.holderVerification, { enabled: false, claim: 'subject' });
    assert.deepEqual(credential.jwtInclusion, { enabled: true, fullInclusion: true, claimsToInclude: [] });
    assert.deepEqual(credential.credentialStatus, { enabled: false, acceptedPurposes: ['revocation'], requireStatus: false });
    assert.equal(s.oidcScopes['default']!.flatClaims, false);
    assert.equal(s.allowUnboundVp, false, 'the leniency is off unless configured');
    assert.equal(s.oidcScopes['default']!.dcql!['credentials'] instanceof Array, true);
    assert.ok(Object.isFrozen(s) && Object.isFrozen(credential));
  });

  test('jwtInclusion is enabled when absent (VCVerifier default), and participants lists take the {type,url} form', () => {
    const s = parsed({
      id: 'bae',
      defaultOidcScope: 'openid learcredential',
      authorizationType: 'FRONTEND_V2',
      oidcScopes: { 'openid learcredential': { credentials: [{ type: 'LegalPersonCredential', trustedParticipantsLists: [{ type: 'gaia-x', url: 'https://registry.example' }] }] } },
    });
    const credential = s.oidcScopes['openid learcredential']!.credentials[0]!;
    assert.deepEqual(credential.jwtInclusion, { enabled: true, fullInclusion: false, claimsToInclude: [] });
    assert.deepEqual(credential.trustedParticipantsLists, [{ type: 'gaia-x', url: 'https://registry.example' }]);
  });

  test('defaultOidcScope is required and must name one of oidcScopes', () => {
    assert.deepEqual(problems({ ...DSC_DATA_SERVICE, defaultOidcScope: 'other' }), ['defaultOidcScope: must name one of oidcScopes']);
    const { defaultOidcScope: _, ...withoutDefault } = DSC_DATA_SERVICE;
    assert.equal(problems(withoutDefault).length, 1);
  });

  test('every scope needs a credential, every credential a type; a service needs a scope', () => {
    assert.deepEqual(problems({ ...DSC_DATA_SERVICE, oidcScopes: { default: { credentials: [] } } }), ['oidcScopes.default.credentials: must list at least one credential']);
    assert.deepEqual(problems({ ...DSC_DATA_SERVICE, oidcScopes: { default: { credentials: [{ type: ' ' }] } } }), ['oidcScopes.default.credentials[0].type: must be a non-empty credential type']);
    assert.ok(problems({ ...DSC_DATA_SERVICE, oidcScopes: {} }).includes('oidcScopes: must have at least one scope'));
  });

  test('an unknown key is refused, not ignored (a misspelt key must not relax a check)', () => {
    const misspelt = structuredClone(DSC_DATA_SERVICE) as { oidcScopes: { default: { credentials: Record<string, unknown>[] } } };
    misspelt.oidcScopes.default.credentials[0]!['trustedIssuerLists'] = ['https://til.example'];
    assert.equal(problems(misspelt).length, 1);
    assert.match(problems(misspelt)[0]!, /^oidcScopes\.default\.credentials\[0\]/);
    assert.equal(problems({ ...DSC_DATA_SERVICE, allowUnboundVP: true }).length, 1);
  });

  test('`*` in trustedIssuersLists must stand alone; list URLs must be http(s) without credentials', () => {
    const withLists = (lists: unknown[]) => ({ ...DSC_DATA_SERVICE, oidcScopes: { default: { credentials: [{ type: 'UserCredential', trustedIssuersLists: lists }] } } });
    assert.deepEqual(parsed(withLists(['*'])).oidcScopes['default']!.credentials[0]!.trustedIssuersLists, ['*']);
    assert.deepEqual(problems(withLists(['*', 'https://til.example'])), ['oidcScopes.default.credentials[0].trustedIssuersLists: `*` must stand alone']);
    assert.equal(problems(withLists(['ftp://til.example'])).length, 1);
    assert.equal(problems(withLists(['https://user:pw@til.example'])).length, 1);
  });

  test('a service id is one URL path segment', () => {
    for (const id of ['a/b', '..%2F', 'has space', '', 'x'.repeat(FIWARE_LIMITS.idLength + 1)]) {
      const found = problems({ ...DSC_DATA_SERVICE, id });
      assert.ok(found.length > 0 && found.every((p) => p.startsWith('id: ')), `${id}: ${found.join('; ')}`);
    }
    assert.equal(parsed({ ...DSC_DATA_SERVICE, id: 'packet-delivery.v2_x~1' }).id, 'packet-delivery.v2_x~1');
  });

  test('lists and maps are bounded', () => {
    const scopes = Object.fromEntries(Array.from({ length: FIWARE_LIMITS.scopesPerService + 1 }, (_, i) => [`s${i}`, { credentials: [{ type: 'T' }] }]));
    assert.ok(problems({ ...DSC_DATA_SERVICE, defaultOidcScope: 's0', oidcScopes: scopes }).some((p) => /at most 64 scopes/.test(p)));
    const credentials = Array.from({ length: FIWARE_LIMITS.credentialsPerScope + 1 }, () => ({ type: 'T' }));
    assert.equal(problems({ ...DSC_DATA_SERVICE, oidcScopes: { default: { credentials } } }).length, 1);
    const hugeDcql = { credentials: [{ id: 'q', format: 'jwt_vc_json', meta: { type_values: [['x'.repeat(FIWARE_LIMITS.queryBytes)]] } }] };
    assert.equal(problems({ ...DSC_DATA_SERVICE, oidcScopes: { default: { credentials: [{ type: 'T' }], dcql: hugeDcql } } }).length, 1);
  });

  test('two services with one id are refused', () => {
    const result = parseFiwareServices([DSC_DATA_SERVICE, DSC_DATA_SERVICE]);
    assert.ok('problems' in result);
    assert.deepEqual(result.problems, [{ path: '[1].id', reason: 'duplicates service id data-service' }]);
  });

  test('a scope request is comma-separated, names may contain spaces, and absent means the default scope', () => {
    const s = parsed({ ...DSC_DATA_SERVICE, oidcScopes: { default: { credentials: [{ type: 'T' }] }, 'openid learcredential': { credentials: [{ type: 'T' }] } } });
    assert.deepEqual(requestedFiwareScopes(s, undefined), ['default']);
    assert.deepEqual(requestedFiwareScopes(s, ' '), ['default']);
    assert.deepEqual(requestedFiwareScopes(s, 'openid learcredential'), ['openid learcredential']);
    assert.deepEqual(requestedFiwareScopes(s, 'default, openid learcredential,default'), ['default', 'openid learcredential']);
  });

  test('the static registry finds services by id and lists them ordered by id', async () => {
    const result = parseFiwareServices([{ ...DSC_DATA_SERVICE, id: 'z' }, { ...DSC_DATA_SERVICE, id: 'a' }]);
    assert.ok('services' in result);
    const registry = staticServiceRegistry(result.services);
    assert.equal((await registry.get('z'))?.id, 'z');
    assert.equal(await registry.get('data-service'), undefined);
    assert.deepEqual((await registry.list()).map((s) => s.id), ['a', 'z']);
  });
});

describe('verifier.fiware.services in the configuration', () => {
  test('without the key the FIWARE surface has no service (the configuration behaves as before)', () => {
    assert.deepEqual(loadConfig({ env: {} }).verifier.fiware.services, []);
  });

  test('a YAML list in the shape of the configuration contract is read, YAML text booleans included', () => {
    const file = yamlFile(`verifier:
  fiware:
    services:
      - id: data-service
        defaultOidcScope: default
        authorizationType: DEEPLINK
        oidcScopes:
          default:
            credentials:
              - type: LEARCredentialMachine
                trustedIssuersLists: [https://til.example.org]
                jwtInclusion: { enabled: true, fullInclusion: true }
            dcql: { credentials: [ { id: machine-query, format: jwt_vc_json, multiple: false, meta: { type_values: [[LEARCredentialMachine]] } } ] }
        allowUnboundVp: true
`);
    const [service] = loadConfig({ env: {}, file }).verifier.fiware.services;
    assert.equal(service?.id, 'data-service');
    assert.equal(service?.allowUnboundVp, true);
    const scope = service!.oidcScopes['default']!;
    assert.deepEqual(scope.credentials[0]!.jwtInclusion, { enabled: true, fullInclusion: true, claimsToInclude: [] });
    assert.deepEqual(scope.dcql, { credentials: [{ id: 'machine-query', format: 'jwt_vc_json', multiple: false, meta: { type_values: [['LEARCredentialMachine']] } }] });
  });

  test('the env var VERIFIER_FIWARE_SERVICES carries the list as JSON text', () => {
    const config = loadConfig({ env: { VERIFIER_FIWARE_SERVICES: JSON.stringify([DSC_DATA_SERVICE]) } });
    assert.deepEqual(config.verifier.fiware.services.map((s) => s.id), ['data-service']);
  });

  test('an invalid service stops start-up with the key and the reason, never the value', () => {
    try {
      loadConfig({ env: { VERIFIER_FIWARE_SERVICES: JSON.stringify([{ ...DSC_DATA_SERVICE, defaultOidcScope: 'secret-looking-scope' }]) } });
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, 'verifier.fiware.services');
      assert.match(e.message, /\[0\]\.defaultOidcScope must name one of oidcScopes/);
      assert.doesNotMatch(e.message, /secret-looking-scope/);
    }
    assert.throws(() => loadConfig({ env: { VERIFIER_FIWARE_SERVICES: '{not json' } }), (e: unknown) => e instanceof ConfigError && e.key === 'verifier.fiware.services');
  });
});
