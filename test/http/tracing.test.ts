/**
 * OpenTelemetry tracing, exported over OTLP/HTTP to an in-process receiver (node:http on
 * 127.0.0.1): a SERVER span per request (route template, method, status, OAuth error, request
 * id) continuing the caller's `traceparent`, a child span per pipeline step (with the stable
 * code of the step that refused), a CLIENT span per outbound fetch (purpose and host) whose
 * `traceparent` the trust service receives; no attribute carries a token, assertion,
 * presentation, query string or path.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, tracingSettings, type Tracing } from '../../packages/server/src/tracing.ts';
import { createWorld, TRUST_PATHS, type World } from '../support/world.ts';
import { sign, assertionClaims, tokenForm } from '../support/forge.ts';

interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean }
interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: Array<{ key: string; value: OtlpValue }>; status?: { code?: number } }

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : v?.boolValue);
};
const SERVER = 2;
const CLIENT = 3;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

describe('tracing settings from the standard OpenTelemetry variables', () => {
  test('off by default, off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    assert.equal(tracingSettings({}), undefined);
    assert.equal(tracingSettings({ OTEL_SERVICE_NAME: 'x' }), undefined);
    assert.equal(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
    assert.equal(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
  });

  test('on with an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp|console; service name from OTEL_SERVICE_NAME', () => {
    assert.deepEqual(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), { exporter: 'otlp', serviceName: 'dome-verifier' });
    assert.deepEqual(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_SERVICE_NAME: 'verifier' }), { exporter: 'otlp', serviceName: 'verifier' });
    assert.deepEqual(tracingSettings({ OTEL_TRACES_EXPORTER: 'console' }), { exporter: 'console', serviceName: 'dome-verifier' });
  });

  test('an exporter that is not shipped is a start-up error naming the supported ones', () => {
    assert.throws(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' }), /OTEL_TRACES_EXPORTER=zipkin is not supported: use one of otlp, console, none/);
  });

  test('startTracing is undefined (nothing loaded) when off', async () => {
    assert.equal(await startTracing({}), undefined);
  });
});

describe('tracing exported over OTLP/HTTP', () => {
  let receiver: Server;
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  let w: World;
  let tracing: Tracing;
  const secrets: string[] = [];
  let okId = '';
  const spans: OtlpSpan[] = [];
  const resources: Array<Array<{ key: string; value: OtlpValue }>> = [];

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          bodies.push(Buffer.concat(chunks).toString());
          contentTypes.push(String(req.headers['content-type']));
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    process.env.OTEL_SERVICE_NAME = 'verifier-under-test';
    const t = await startTracing(process.env);
    assert.ok(t);
    tracing = t;
    w = await createWorld({ listen: true, trustOverHttp: true, tracing });

    const send = (body: URLSearchParams, headers: Record<string, string> = {}) =>
      fetch(`${w.issuer}/oidc/token?probe=query-secret`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: body.toString() });
    const ok = await w.tokenRequest();
    secrets.push(ok.clientAssertion, ok.vpJwt, 'query-secret');
    const okRes = await send(ok.body, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, 'x-request-id': 'trace-test-ok' });
    assert.equal(okRes.status, 200);
    const tokens = (await okRes.json()) as Record<string, unknown>;
    secrets.push(String(tokens.access_token));
    okId = 'trace-test-ok';
    const bad = sign({ alg: 'ES256', kid: w.machine.did }, assertionClaims(w.machine.did, ok.vpJwt, w.clock.now(), { aud: 'https://elsewhere' }), w.machine.privateKey);
    secrets.push(bad);
    const badRes = await send(tokenForm(w.machine.did, bad), { 'x-request-id': 'trace-test-bad' });
    assert.equal(badRes.status, 401);
    await w.close();
    await tracing.shutdown(); // flushes
    for (const b of bodies) {
      const doc = JSON.parse(b) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const rs of doc.resourceSpans) {
        resources.push(rs.resource.attributes);
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
    }
  });
  after(async () => {
    await new Promise((r) => receiver.close(r));
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_SERVICE_NAME;
  });

  const requestSpan = (id: string) => spans.find((s) => s.kind === SERVER && attr(s, 'verifier.request_id') === id);
  const childrenOf = (s: OtlpSpan) => spans.filter((c) => c.parentSpanId === s.spanId);
  const descendantsOf = (s: OtlpSpan): OtlpSpan[] => childrenOf(s).flatMap((c) => [c, ...descendantsOf(c)]);

  test('spans are exported as OTLP/HTTP JSON with the service name from OTEL_SERVICE_NAME', () => {
    assert.ok(bodies.length > 0, 'the receiver got an export');
    assert.ok(contentTypes.every((c) => c.startsWith('application/json')));
    assert.ok(resources.some((r) => r.some((a) => a.key === 'service.name' && a.value.stringValue === 'verifier-under-test')));
  });

  test('a request span continues the incoming traceparent and carries route template, method, status and request id — not the query', () => {
    const s = requestSpan(okId);
    assert.ok(s, 'a SERVER span for the request');
    assert.equal(s.name, 'POST /oidc/token');
    assert.equal(s.traceId, TRACE_ID);
    assert.equal(s.parentSpanId, PARENT_ID);
    assert.equal(attr(s, 'http.route'), '/oidc/token');
    assert.equal(attr(s, 'http.request.method'), 'POST');
    assert.equal(attr(s, 'http.response.status_code'), 200);
    assert.equal(attr(s, 'oauth.error'), undefined);
  });

  test('each pipeline step is a child span of the request; a fetch is a CLIENT span with purpose and host whose traceparent the trust service received', () => {
    const s = requestSpan(okId)!;
    const names = descendantsOf(s).map((c) => c.name);
    for (const step of ['step parse-client-assertion', 'step assertion-signature']) assert.ok(names.includes(step), `${step} in ${names.join(', ')}`);
    assert.ok(descendantsOf(s).every((c) => c.traceId === TRACE_ID));
    const fetches = spans.filter((c) => c.kind === CLIENT);
    assert.ok(fetches.length > 0, 'at least one outbound fetch span');
    const host = new URL(w.stub!.base).host;
    for (const f of fetches) {
      assert.equal(f.name, `GET ${host}`);
      assert.equal(attr(f, 'server.address'), '127.0.0.1');
      assert.ok(['operator', 'untrusted'].includes(String(attr(f, 'verifier.fetch.purpose'))));
    }
    const sent = w.stub!.traceparents.filter((t): t is string => t !== undefined);
    assert.ok(sent.length > 0, 'the trust service received traceparent headers');
    for (const t of sent) {
      const [, traceId, spanId] = t.split('-');
      assert.ok(fetches.some((f) => f.traceId === traceId && f.spanId === spanId), `traceparent ${t} names an exported fetch span`);
    }
  });

  test('a rejected request records the OAuth error on its span and the stable code on the step that refused', () => {
    const s = requestSpan('trace-test-bad');
    assert.ok(s);
    assert.equal(attr(s, 'http.response.status_code'), 401);
    assert.equal(attr(s, 'oauth.error'), 'invalid_client');
    const refused = descendantsOf(s).filter((c) => c.status?.code === 2);
    assert.equal(refused.length, 1, `one failed step: ${refused.map((r) => r.name).join(', ')}`);
    assert.equal(attr(refused[0]!, 'verifier.error_code'), 'ERR_ASSERTION_AUDIENCE');
  });

  test('no attribute or span name carries a token, assertion, presentation, query string or path', () => {
    const text = bodies.join('\n');
    for (const secret of secrets) for (const part of secret.split('.')) assert.equal(text.includes(part), false, 'a secret leaked into the traces');
    assert.equal(text.includes(TRUST_PATHS.tsl), false, 'no fetched path');
    assert.equal(text.includes('/v4/issuers/'), false, 'no fetched path');
  });
});
