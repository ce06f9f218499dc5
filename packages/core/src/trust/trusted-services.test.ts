import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchRequest, FetchResponse } from '../ports/fetcher.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFetcher } from '../http/create-fetcher.ts';
import { createClientRegistry, parseTrustedServicesList } from './trusted-services.ts';

const MARKETPLACE = 'did:key:zDnaeTU39Wx9KXgmEwmfXsZSyEVxgCqwCVmoPyVQUTD8bhW8a';
const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';

/** dome-verifier-wire.md §7.1 production excerpt, plus the SBX entry with an empty jwkSetUrl and an entry without url. */
const PRODUCTION_YAML = `
clients:
  - clientId: "${MARKETPLACE}"      # DOME marketplace (H2M, JAR)
    url: "https://dome-marketplace.org"
    redirectUris: ["https://dome-marketplace.org/auth/vc/callback", "https://dome-marketplace-prd.org/auth/vc/callback"]
    scopes: ["openid_learcredential"]
    clientAuthenticationMethods: ["client_secret_jwt"]
    authorizationGrantTypes: ["authorization_code"]
    postLogoutRedirectUris: ["https://dome-marketplace.org/"]
    requireAuthorizationConsent: false
    requireProofKey: false
    jwkSetUrl: "https://verifier.dome-marketplace.eu/oidc/did/${MARKETPLACE}"
    tokenEndpointAuthenticationSigningAlgorithm: "ES256"
  - clientId: "dome-issuer"                                                    # Keycloak broker (H2M)
    url: "https://issuer.dome-marketplace.eu"
    redirectUris: ["https://keycloak.dome-marketplace.eu/realms/dome-issuer/broker/vc/endpoint"]
    scopes: ["openid_learcredential"]
    clientAuthenticationMethods: ["client_secret_jwt"]
    authorizationGrantTypes: ["authorization_code"]
    jwkSetUrl: "https://keycloak.dome-marketplace.eu/realms/dome-issuer/protocol/openid-connect/certs"
    tokenEndpointAuthenticationSigningAlgorithm: "ES256"
  - clientId: "${MACHINE}"      # M2M machine
    url: "https://onboarding.dome-marketplace.eu"
    redirectUris: []
    scopes: []
    clientAuthenticationMethods: ["client_secret_jwt"]
    authorizationGrantTypes: ["client_credentials"]
    postLogoutRedirectUris: []
    requireAuthorizationConsent: false
    requireProofKey: false
    jwkSetUrl: "https://verifier.dome-marketplace.eu/oidc/did/${MACHINE}"
    tokenEndpointAuthenticationSigningAlgorithm: "ES256"
  - clientId: "sbx-machine"         # SBX: empty jwkSetUrl (YAML null), no url
    redirectUris: []
    clientAuthenticationMethods: ["client_secret_jwt"]
    authorizationGrantTypes: ["client_credentials"]
    jwkSetUrl:
    tokenEndpointAuthenticationSigningAlgorithm: "ES256"
`;

describe('parseTrustedServicesList', () => {
  test('reads the production list into frozen registered clients', () => {
    const { clients, warnings } = parseTrustedServicesList(PRODUCTION_YAML);
    assert.deepEqual(warnings, []);
    assert.deepEqual(clients.map((c) => c.clientId), [MARKETPLACE, 'dome-issuer', MACHINE, 'sbx-machine']);
    assert.deepEqual(clients[2], {
      clientId: MACHINE,
      url: 'https://onboarding.dome-marketplace.eu',
      redirectUris: [],
      scopes: [],
      clientAuthenticationMethods: ['client_secret_jwt'],
      authorizationGrantTypes: ['client_credentials'],
      postLogoutRedirectUris: [],
      requireAuthorizationConsent: false,
      requireProofKey: false,
      jwkSetUrl: `https://verifier.dome-marketplace.eu/oidc/did/${MACHINE}`,
      tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
    });
    assert.deepEqual(clients[0]?.redirectUris, ['https://dome-marketplace.org/auth/vc/callback', 'https://dome-marketplace-prd.org/auth/vc/callback']);
    for (const c of clients) {
      assert.ok(Object.isFrozen(c));
      assert.ok(Object.isFrozen(c.redirectUris));
    }
  });

  test('reads an empty jwkSetUrl (YAML null) and a missing url as absent', () => {
    const sbx = parseTrustedServicesList(PRODUCTION_YAML).clients[3]!;
    assert.equal(sbx.jwkSetUrl, undefined);
    assert.equal(sbx.url, undefined);
    assert.deepEqual(sbx.postLogoutRedirectUris, []);
    assert.deepEqual(sbx.scopes, []);
  });

  test('reads absent lists as empty and absent booleans as false', () => {
    const keycloak = parseTrustedServicesList(PRODUCTION_YAML).clients[1]!;
    assert.deepEqual(keycloak.postLogoutRedirectUris, []);
    assert.equal(keycloak.requireAuthorizationConsent, false);
    assert.equal(keycloak.requireProofKey, false);
  });

  test('skips an entry without clientId, with a warning naming its position', () => {
    const { clients, warnings } = parseTrustedServicesList(`
clients:
  - url: "https://no-id.example"
  - clientId: ""
  - clientId: 42
  - "just a string"
  - clientId: "ok"
`);
    assert.deepEqual(clients.map((c) => c.clientId), ['ok']);
    assert.deepEqual(warnings, ['clients[0] has no clientId; skipped', 'clients[1] has no clientId; skipped', 'clients[2] has no clientId; skipped', 'clients[3] has no clientId; skipped']);
  });

  test('keeps the first of two entries with the same clientId, with a warning', () => {
    const { clients, warnings } = parseTrustedServicesList(`
clients:
  - clientId: "dup"
    url: "https://first.example"
  - clientId: "other"
  - clientId: "dup"
    url: "https://second.example"
`);
    assert.deepEqual(clients.map((c) => [c.clientId, c.url]), [['dup', 'https://first.example'], ['other', undefined]]);
    assert.deepEqual(warnings, ['clients[2] repeats clientId dup; the first entry wins']);
  });

  test('drops non-string and empty list members, trims optional strings, and requires booleans to be true', () => {
    const [c] = parseTrustedServicesList(`
clients:
  - clientId: "c"
    url: "  https://c.example  "
    jwkSetUrl: "   "
    scopes: ["a", 1, "", null, "b"]
    redirectUris: "https://not-a-list.example"
    requireProofKey: "true"
    requireAuthorizationConsent: true
    tokenEndpointAuthenticationSigningAlgorithm: " ES256 "
`).clients;
    assert.equal(c?.url, 'https://c.example');
    assert.equal(c?.jwkSetUrl, undefined);
    assert.deepEqual(c?.scopes, ['a', 'b']);
    assert.deepEqual(c?.redirectUris, []);
    assert.equal(c?.requireProofKey, false);
    assert.equal(c?.requireAuthorizationConsent, true);
    assert.equal(c?.tokenEndpointAuthenticationSigningAlgorithm, 'ES256');
  });

  test('refuses a document without a clients list', () => {
    for (const text of ['', 'clients:', 'clients: {}', '- clientId: x', 'services: []', 'just text']) {
      assert.throws(() => parseTrustedServicesList(text), { message: 'Trusted Services List has no "clients" list' });
    }
  });

  test('accepts an empty clients list', () => {
    assert.deepEqual(parseTrustedServicesList('clients: []'), { clients: [], warnings: [] });
  });

  test('refuses a deeply nested or oversized document before composing it', () => {
    const deep = `clients: ${'['.repeat(102_400)}${']'.repeat(102_400)}`;
    for (let i = 0; i < 2; i++) assert.throws(() => parseTrustedServicesList(deep), { message: 'Trusted Services List nests deeper than 32 levels' });
    const big = `clients:\n${`  - clientId: "${'x'.repeat(60)}"\n`.repeat(20_000)}`;
    assert.throws(() => parseTrustedServicesList(big), { message: 'Trusted Services List is longer than 1048576 characters' });
  });

  test('refuses YAML with excessive alias expansion (billion laughs)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 8; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('clients: [*h]');
    assert.throws(() => parseTrustedServicesList(bomb.join('\n')), /Excessive alias count/);
  });
});

describe('createClientRegistry', () => {
  const yamlResponse = (text: string, status = 200): FetchResponse => ({ status, contentType: 'application/yaml', body: Buffer.from(text) });

  function setup(...answers: Array<FetchResponse | Error>) {
    const requests: FetchRequest[] = [];
    const queue = [...answers];
    const warnings: string[] = [];
    const refreshes: Array<[string, number]> = [];
    let t = 1_000;
    const registry = createClientRegistry({
      url: 'https://tf.example/prd/trusted_services_list.yaml',
      refreshMs: 0, // no timer: refreshes are driven by the test
      fetch: async (req) => {
        requests.push(req);
        const a = queue.length > 1 ? queue.shift()! : queue[0]!;
        if (a instanceof Error) throw a;
        return a;
      },
      onWarning: (m) => warnings.push(m),
      onRefresh: (outcome, n) => refreshes.push([outcome, n]),
      now: () => t,
    });
    return { registry, requests, warnings, refreshes, tick: (ms: number) => (t += ms) };
  }

  test('loads the list and looks clients up by clientId', async () => {
    const { registry, requests, refreshes } = setup(yamlResponse(PRODUCTION_YAML));
    assert.equal(registry.loadedAt, undefined);
    await registry.refresh();
    assert.equal(registry.get(MACHINE)?.authorizationGrantTypes[0], 'client_credentials');
    assert.equal(registry.get('unknown'), undefined);
    assert.equal(registry.all().length, 4);
    assert.equal(registry.loadedAt, 1_000);
    assert.deepEqual(refreshes, [['ok', 4]]);
    assert.equal(requests[0]?.purpose, 'operator');
    assert.equal(requests[0]?.url, 'https://tf.example/prd/trusted_services_list.yaml');
    registry.stop();
  });

  test('forwards parse warnings to onWarning', async () => {
    const { registry, warnings } = setup(yamlResponse('clients:\n  - url: x\n  - clientId: a\n'));
    await registry.refresh();
    assert.deepEqual(warnings, ['clients[0] has no clientId; skipped']);
  });

  test('rejects when the first load fails (HTTP error, bad YAML, fetch error), leaving no clients', async () => {
    for (const answer of [yamlResponse('nope', 404), yamlResponse('services: []'), new Error('ECONNREFUSED')]) {
      const { registry, refreshes } = setup(answer);
      await assert.rejects(registry.refresh());
      assert.equal(registry.loadedAt, undefined);
      assert.deepEqual(registry.all(), []);
      assert.deepEqual(refreshes, [['failed', 0]]);
    }
    const { registry } = setup(yamlResponse('', 503));
    await assert.rejects(registry.refresh(), { message: 'Trusted Services List https://tf.example/prd/trusted_services_list.yaml answered HTTP 503' });
  });

  test('a failed first load names its source: the local path of a missing file (not "HTTP 404"), the URL without credentials or query', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsl-'));
    const missing = join(dir, 'no-such-list.yaml');
    const fetcher = createFetcher({ allowInsecure: false, timeoutMs: 1000 });
    try {
      const local = createClientRegistry({ url: missing, fetch: fetcher, refreshMs: 0 });
      await assert.rejects(local.refresh(), { message: `Trusted Services List ${missing}: file not found` });
      const fileUrl = createClientRegistry({ url: `file://${missing}`, fetch: fetcher, refreshMs: 0 });
      await assert.rejects(fileUrl.refresh(), { message: `Trusted Services List ${missing}: file not found` });
    } finally {
      fetcher.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const remote = createClientRegistry({ url: 'https://user:pw@tf.example/prd/list.yaml?token=s3cret', fetch: async () => yamlResponse('', 404), refreshMs: 0 });
    await assert.rejects(remote.refresh(), { message: 'Trusted Services List https://tf.example/prd/list.yaml answered HTTP 404' });
    const down = createClientRegistry({ url: 'https://tf.example/prd/list.yaml', fetch: async () => { throw new Error('ECONNREFUSED'); }, refreshMs: 0 });
    await assert.rejects(down.refresh(), { message: 'Trusted Services List https://tf.example/prd/list.yaml: ECONNREFUSED' });
  });

  test('a later failed refresh keeps the last good list and warns', async () => {
    const { registry, warnings, refreshes, tick } = setup(yamlResponse(PRODUCTION_YAML), yamlResponse('', 500));
    await registry.refresh();
    tick(60_000);
    await registry.refresh();
    assert.equal(registry.all().length, 4);
    assert.ok(registry.get(MACHINE));
    assert.equal(registry.loadedAt, 1_000);
    assert.deepEqual(refreshes, [['ok', 4], ['failed', 4]]);
    assert.deepEqual(warnings, ['Trusted Services List refresh failed, keeping 4 clients from the last good load: Trusted Services List https://tf.example/prd/trusted_services_list.yaml answered HTTP 500']);
  });

  test('a successful refresh replaces the list: removed clients disappear, new ones appear', async () => {
    const { registry, tick } = setup(yamlResponse(PRODUCTION_YAML), yamlResponse(`clients:\n  - clientId: "${MACHINE}"\n  - clientId: "new"\n`));
    await registry.refresh();
    tick(1);
    await registry.refresh();
    assert.deepEqual(registry.all().map((c) => c.clientId), [MACHINE, 'new']);
    assert.equal(registry.get(MARKETPLACE), undefined);
    assert.equal(registry.loadedAt, 1_001);
  });

  test('a refresh answering an empty body, a keyless mapping or a deeply nested document keeps the last good list', async () => {
    for (const text of ['', '{"message":"rate limited"}', `clients: ${'['.repeat(102_400)}${']'.repeat(102_400)}`]) {
      const { registry, warnings } = setup(yamlResponse(PRODUCTION_YAML), yamlResponse(text));
      await registry.refresh();
      await registry.refresh();
      assert.equal(registry.all().length, 4, JSON.stringify(text.slice(0, 30)));
      assert.match(warnings.at(-1) ?? '', /refresh failed, keeping 4 clients/);
    }
  });

  test('status() tells a readiness probe whether the last good list has clients and whether the last refresh failed', async () => {
    const { registry, tick } = setup(yamlResponse(PRODUCTION_YAML), yamlResponse('', 503), yamlResponse('clients: []'));
    assert.deepEqual(registry.status(), { state: 'unloaded', clients: 0, lastSuccessAt: undefined, lastFailureAt: undefined, lastError: undefined });
    await registry.refresh();
    assert.deepEqual(registry.status(), { state: 'ok', clients: 4, lastSuccessAt: 1_000, lastFailureAt: undefined, lastError: undefined });
    tick(10);
    await registry.refresh();
    assert.deepEqual(registry.status(), { state: 'stale', clients: 4, lastSuccessAt: 1_000, lastFailureAt: 1_010, lastError: 'Trusted Services List https://tf.example/prd/trusted_services_list.yaml answered HTTP 503' });
    tick(10);
    await registry.refresh();
    assert.deepEqual(registry.status(), { state: 'ok', clients: 0, lastSuccessAt: 1_020, lastFailureAt: 1_010, lastError: undefined }, 'a valid empty list is a good load with no clients');
  });

  test('status() is failing when the first load failed', async () => {
    const { registry } = setup(yamlResponse('{"message":"rate limited"}'));
    await assert.rejects(registry.refresh());
    assert.deepEqual(registry.status(), { state: 'failing', clients: 0, lastSuccessAt: undefined, lastFailureAt: 1_000, lastError: 'Trusted Services List has no "clients" list' });
  });

  test('a failed refresh with invalid YAML also keeps the last good list', async () => {
    const { registry } = setup(yamlResponse(PRODUCTION_YAML), yamlResponse('clients: "not a list"'));
    await registry.refresh();
    await registry.refresh();
    assert.equal(registry.all().length, 4);
  });

  test('refreshes every refreshMs once started, and stop() ends the refreshes', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const requests: string[] = [];
      const registry = createClientRegistry({
        url: 'https://tf.example/tsl.yaml',
        refreshMs: 1_800_000,
        fetch: async (req) => {
          requests.push(req.url);
          return yamlResponse(PRODUCTION_YAML);
        },
      });
      await registry.refresh();
      assert.equal(requests.length, 1);
      mock.timers.tick(1_800_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(requests.length, 2);
      await registry.refresh(); // a manual refresh does not start a second timer
      mock.timers.tick(1_800_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(requests.length, 4);
      registry.stop();
      mock.timers.tick(10 * 1_800_000);
      await new Promise((r) => setImmediate(r));
      assert.equal(requests.length, 4);
    } finally {
      mock.timers.reset();
    }
  });
});
