/**
 * The Helm chart (deploy/helm/dome-verifier) rendered by the real helm 3.17 binary: DOME's PRD
 * values (the excerpt of the dome-verifier 1.2.26 chart values, verbatim in fixtures/) map onto
 * the env vars and ConfigMap DOME's chart sets, and what is rendered loads with our own
 * configuration loader; several replicas need and get the Redis store.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadConfig } from '@dome-verifier/core/config';
import { helmBinary } from '../support/helm.ts';

const CHART = join(import.meta.dirname, '../../deploy/helm/dome-verifier');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const ANCHORS = join(FIXTURES, 'dome-prd-trust-anchors.yaml');
const MULTI = join(FIXTURES, 'multi-replica-values.yaml');
const TEST_KEY = '1111111111111111111111111111111111111111111111111111111111111111';

interface Manifest { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> }
interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } } }

let helm: string;
let dir: string;
let prd: string;

function helmRun(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm, args, { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function render(...valueFiles: string[]): Manifest[] {
  const r = helmRun(['template', 'verifier', CHART, '--namespace', 'dome', '--kube-version', '1.30.0', ...valueFiles.flatMap((f) => ['-f', f])]);
  assert.equal(r.status, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest).filter(Boolean);
}

function renderFails(args: string[]): string {
  const r = helmRun(['template', 'verifier', CHART, ...args]);
  assert.notEqual(r.status, 0, 'helm template succeeded');
  return r.stderr;
}

const one = (ms: Manifest[], kind: string) => {
  const found = ms.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0]!;
};
const container = (ms: Manifest[]) => one(ms, 'Deployment').spec.template.spec.containers[0];
const envOf = (ms: Manifest[]): Map<string, EnvVar> => new Map((container(ms).env as EnvVar[]).map((e) => [e.name, e]));
const values = (env: Map<string, EnvVar>) => Object.fromEntries([...env.values()].filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));

/**
 * Runs our configuration loader on what the pod would see: the env vars (secret references
 * resolved from `secrets`) and the ConfigMap's application.yaml at SPRING_CONFIG_ADDITIONAL_LOCATION.
 */
function loadRendered(ms: Manifest[], secrets: Record<string, string>) {
  const env: Record<string, string> = {};
  for (const e of envOf(ms).values()) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom) {
      const ref = `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`;
      if (secrets[ref] !== undefined) env[e.name] = secrets[ref];
      else assert.ok(e.valueFrom.secretKeyRef.optional, `secret ${ref} not provided`);
    }
  }
  const file = join(mkdtempSync(join(dir, 'config-')), 'application.yaml');
  writeFileSync(file, one(ms, 'ConfigMap').data!['application.yaml']!);
  assert.equal(env['SPRING_CONFIG_ADDITIONAL_LOCATION'], '/config/application.yaml');
  return loadConfig({ env: { ...env, SPRING_CONFIG_ADDITIONAL_LOCATION: file }, cwd: dir });
}

before(() => {
  helm = helmBinary();
  dir = mkdtempSync(join(tmpdir(), 'dome-helm-'));
  // The excerpt is under the umbrella chart's `dome-verifier:` key: its content is this chart's values.
  prd = join(dir, 'prd-values.yaml');
  writeFileSync(prd, stringify(parse(readFileSync(join(FIXTURES, 'dome-prd-values.yaml'), 'utf8'))['dome-verifier']));
});

describe('Helm chart deploy/helm/dome-verifier', () => {
  test('the binary is helm 3.17', () => {
    assert.match(execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }), /^v3\.17\./);
  });

  test('helm lint --strict passes with DOME PRD values and with the multi-replica values', () => {
    for (const files of [[prd, ANCHORS], [MULTI]]) {
      const r = helmRun(['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f])]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  describe('DOME PRD values (dome-verifier 1.2.26), with only the trust anchors added', () => {
    let ms: Manifest[];
    before(() => { ms = render(prd, ANCHORS); });

    test('renders the env vars DOME\'s chart sets, identity key and credential from the existing secret', () => {
      const env = envOf(ms);
      assert.deepEqual(values(env), {
        HOST: '0.0.0.0',
        PORT: '8080',
        LOG_LEVEL: 'info',
        VERIFIER_FRONTEND_URLS_ONBOARDING: 'https://knowledgebase.dome-marketplace.eu',
        VERIFIER_FRONTEND_URLS_SUPPORT: 'https://ticketing.dome-marketplace.eu',
        VERIFIER_FRONTEND_COLORS_PRIMARY: '#2D58A7',
        VERIFIER_FRONTEND_COLORS_PRIMARY_CONTRAST: '#ffffff',
        VERIFIER_FRONTEND_COLORS_SECONDARY: '#14274A',
        VERIFIER_FRONTEND_COLORS_SECONDARY_CONTRAST: '#00ADD3',
        VERIFIER_FRONTEND_DEFAULT_LANG: 'en',
        VERIFIER_BACKEND_URL: 'https://verifier.dome-marketplace.eu',
        VERIFIER_BACKEND_IDENTITY_DID_KEY: 'did:key:zDnaeVYnWTZu5nbrH1qmBVMvNwSrtKnkRbCZ4xH5h2LQPnzdr',
        VERIFIER_BACKEND_X509_TRUST_ANCHORS: '/etc/dome-verifier/x509/trust-anchors.pem',
        SPRING_CONFIG_ADDITIONAL_LOCATION: '/config/application.yaml',
      });
      assert.deepEqual(env.get('VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY')!.valueFrom, { secretKeyRef: { name: 'verifier-secret', key: 'private-key' } });
      assert.deepEqual(env.get('VERIFIER_BACKEND_IDENTITY_VERIFIABLE_CREDENTIAL')!.valueFrom, { secretKeyRef: { name: 'verifier-secret', key: 'verifiable-credential', optional: true } });
      assert.equal(ms.filter((m) => m.kind === 'Secret').length, 0, 'the existing secret is used, none is made');
    });

    test('the ConfigMap at /config holds application.yaml with exactly the trust frameworks of the values', () => {
      const cm = one(ms, 'ConfigMap');
      const expected = parse(readFileSync(prd, 'utf8')).app.backend.trustFrameworks;
      assert.deepEqual(parse(cm.data!['application.yaml']!), { verifier: { backend: { trustFrameworks: expected } } });
      const pod = one(ms, 'Deployment').spec.template.spec;
      const mounts = new Map(container(ms).volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m.name]));
      const volumes = new Map(pod.volumes.map((v: { name: string }) => [v.name, v]));
      assert.equal((volumes.get(mounts.get('/config')) as any).configMap.name, cm.metadata.name);
      assert.deepEqual((volumes.get(mounts.get('/etc/dome-verifier/x509')) as any).configMap, { name: 'dome-trust-anchors', items: [{ key: 'roots.pem', path: 'trust-anchors.pem' }] });
    });

    test('port 8080, liveness /health/live and readiness /health/ready, DOME\'s image, resources and ingress', () => {
      const c = container(ms);
      assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/health/live', port: 'http' });
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 'http' });
      assert.equal(c.image, 'in2workspace/eudistack-verifier-api:v2.0.12');
      assert.deepEqual(c.resources, { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '500m', memory: '640Mi' } });
      const ingress = one(ms, 'Ingress');
      assert.equal(ingress.spec.ingressClassName, 'nginx');
      assert.equal(ingress.spec.rules[0].host, 'verifier.dome-marketplace.eu');
      assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, one(ms, 'Service').metadata.name);
      assert.equal(one(ms, 'Deployment').spec.replicas, 1);
      assert.equal(ms.filter((m) => m.kind === 'PodDisruptionBudget').length, 0, 'no PDB for one replica');
    });

    test('non-root, read-only root filesystem, no capabilities, no service account token', () => {
      const pod = one(ms, 'Deployment').spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.ok(pod.securityContext.runAsUser > 0);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.enableServiceLinks, false, 'no VERIFIER_*_SERVICE_HOST variables from Services named verifier-…');
      assert.deepEqual(container(ms).securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      assert.ok(pod.volumes.some((v: any) => v.name === 'tmp' && v.emptyDir), '/tmp is writable');
    });

    test('what is rendered loads with our configuration loader: every env var is a known key', () => {
      // The PRD secret holds the key of DOME's did:key; the test key has its own did:key.
      const withoutDid = structuredClone(ms);
      const c = container(withoutDid);
      c.env = c.env.filter((e: EnvVar) => e.name !== 'VERIFIER_BACKEND_IDENTITY_DID_KEY');
      const config = loadRendered(withoutDid, { 'verifier-secret/private-key': TEST_KEY });
      assert.deepEqual(config.warnings, []);
      assert.equal(config.server.port, 8080);
      assert.equal(config.server.host, '0.0.0.0');
      assert.equal(config.verifier.backend.url, 'https://verifier.dome-marketplace.eu');
      assert.equal(config.verifier.backend.identity.privateKey, TEST_KEY);
      assert.equal(config.verifier.backend.x509.trustAnchors, '/etc/dome-verifier/x509/trust-anchors.pem');
      assert.deepEqual(config.verifier.backend.trustFrameworks.map((f) => [f.name, f.trustedServicesListUrl]), [['DOME', 'https://raw.githubusercontent.com/DOME-Marketplace/trust-framework/refs/heads/main/prd/trusted_services_list.yaml']]);
      assert.equal(config.verifier.frontend.colors.primaryContrast, '#ffffff');
      assert.equal(config.verifier.frontend.defaultLang, 'en');
    });
  });

  describe('multi-replica values', () => {
    let ms: Manifest[];
    before(() => { ms = render(MULTI); });

    test('three replicas share the Redis store: URL from the existing secret, key prefix, store type', () => {
      const env = envOf(ms);
      assert.equal(one(ms, 'Deployment').spec.replicas, 3);
      assert.equal(env.get('VERIFIER_BACKEND_STORE_TYPE')!.value, 'redis');
      assert.deepEqual(env.get('VERIFIER_BACKEND_STORE_REDIS_URL')!.valueFrom, { secretKeyRef: { name: 'verifier-redis', key: 'url' } });
      assert.equal(env.get('VERIFIER_BACKEND_STORE_KEY_PREFIX')!.value, 'dome-verifier-prd:');
      assert.equal(one(ms, 'PodDisruptionBudget').spec.maxUnavailable, 1);
    });

    test('the identity key given inline goes to a Secret the chart makes, referenced by the pod', () => {
      const secret = one(ms, 'Secret') as Manifest & { data: Record<string, string> };
      assert.equal(Buffer.from(secret.data['private-key']!, 'base64').toString(), TEST_KEY);
      assert.deepEqual(envOf(ms).get('VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY')!.valueFrom, { secretKeyRef: { name: secret.metadata.name, key: 'private-key' } });
      assert.ok(!JSON.stringify(one(ms, 'Deployment')).includes(TEST_KEY), 'the key is not in the Deployment');
    });

    test('probes and the ServiceMonitor use the management port; frontend, log level and inline anchors map', () => {
      const c = container(ms);
      assert.deepEqual(c.ports[1], { name: 'management', containerPort: 9090, protocol: 'TCP' });
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/health/live', port: 'management' });
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 'management' });
      const sm = one(ms, 'ServiceMonitor');
      assert.deepEqual(sm.spec.endpoints[0].port, 'management');
      assert.equal(sm.spec.endpoints[0].path, '/metrics');
      const v = values(envOf(ms));
      assert.equal(v['SERVER_MANAGEMENT_PORT'], '9090');
      assert.equal(v['LOG_LEVEL'], 'debug');
      assert.equal(v['VERIFIER_FRONTEND_URLS_WALLET'], 'https://wallet.dome-marketplace.eu');
      assert.equal(v['VERIFIER_FRONTEND_ASSETS_BASE_URL'], 'https://cdn.example.org/img');
      assert.equal(v['VERIFIER_FRONTEND_ASSETS_LOGO_PATH'], 'logo.svg');
      assert.equal(v['VERIFIER_FRONTEND_ASSETS_FAVICON_PATH'], 'favicon.png');
      assert.equal(v['VERIFIER_FRONTEND_DEFAULT_LANG'], 'es');
      assert.match(one(ms, 'ConfigMap').data!['trust-anchors.pem']!, /^-----BEGIN CERTIFICATE-----\n/);
    });

    test('what is rendered loads with our configuration loader (Redis store, management port, frontend)', () => {
      const secretName = one(ms, 'Secret').metadata.name;
      const config = loadRendered(ms, { [`${secretName}/private-key`]: TEST_KEY, 'verifier-redis/url': 'redis://:pw@redis.dome.svc:6379/0' });
      assert.deepEqual(config.warnings, []);
      assert.equal(config.verifier.backend.store.type, 'redis');
      assert.equal(config.verifier.backend.store.keyPrefix, 'dome-verifier-prd:');
      assert.equal(config.server.management.port, 9090);
      assert.equal(config.logLevel, 'debug');
      assert.equal(config.verifier.frontend.assets.logoPath, 'logo.svg');
      assert.equal(config.verifier.frontend.urls.wallet, 'https://wallet.dome-marketplace.eu');
    });
  });

  describe('values this verifier cannot run with fail helm template, naming the value to set', () => {
    test('replicaCount 2 without the Redis store', () => {
      assert.match(renderFails(['-f', prd, '-f', ANCHORS, '--set', 'replicaCount=2']), /2 replicas need the shared Redis store: set store\.redis\.existingSecret\.name/);
    });
    test('autoscaling up to 4 replicas without the Redis store', () => {
      assert.match(renderFails(['-f', prd, '-f', ANCHORS, '--set', 'autoscaling.enabled=true,autoscaling.maxReplicas=4']), /4 replicas need the shared Redis store/);
    });
    test('replicaCount 2 with Redis renders', () => {
      const ms = render(prd, ANCHORS, writeValues({ replicaCount: 2, store: { redis: { existingSecret: { name: 'r' } } } }));
      assert.equal(one(ms, 'Deployment').spec.replicas, 2);
    });
    test('DOME PRD values without trust anchors', () => {
      assert.match(renderFails(['-f', prd]), /app\.backend\.x509\.trustAnchors is required/);
    });
    test('the chart defaults alone (no issuer URL, trust framework or key)', () => {
      assert.match(renderFails([]), /app\.backend\.url is required/);
      assert.match(renderFails(['--set', 'app.backend.url=https://v.example']), /app\.backend\.trustFrameworks is required/);
    });
    test('no identity key: neither an existing secret nor privateKey', () => {
      const v = writeValues({ app: { backend: { security: { serviceIdentity: { existingSecret: { enabled: false } } } } } });
      assert.match(renderFails(['-f', prd, '-f', ANCHORS, '-f', v]), /app\.backend\.security\.serviceIdentity: set existingSecret/);
    });
    test('an unknown log level', () => {
      assert.match(renderFails(['-f', prd, '-f', ANCHORS, '--set', 'app.backend.logging.level.es\\.in2\\.vcverifier=LOUD']), /"loud" is not a level/);
    });
  });
});

function writeValues(v: object): string {
  const file = join(mkdtempSync(join(dir, 'values-')), 'values.yaml');
  writeFileSync(file, stringify(v));
  return file;
}
