import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../../errors/verifier-error.ts';
import { decodeVpToken, VP_TOKEN_LIMITS } from './decode-vp-token.ts';
import { DEFAULT_SENT_QUERIES, typesSatisfy, vctSatisfies } from './sent-queries.ts';

const seg = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const VP = `${seg({ alg: 'ES256', typ: 'JWT' })}.${seg({ vp: {} })}.c2ln`;
const SD = `${seg({ alg: 'ES256', typ: 'dc+sd-jwt' })}.${seg({ vct: 'x' })}.c2ln~WyJzIiwibiIsMV0~${VP}`;
const JWT_Q = 'lear_employee_jwt_vc';
const SD_Q = 'lear_employee_sd_jwt';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const decode = (raw: string) => decodeVpToken(raw, DEFAULT_SENT_QUERIES);

function refused(raw: string, code: string, msg?: RegExp): void {
  assert.throws(() => decode(raw), (e: unknown) => e instanceof VerifierError && e.code === code && (!msg || msg.test(e.message)));
}

describe('vp_token decoder: every encoding either DOME wallet posts', () => {
  test('deployed wallet: base64url (no padding) of the VP JWT is a bare JWT presentation', () => {
    assert.deepEqual(decode(Buffer.from(VP).toString('base64url')), { encoding: 'base64', format: 'jwt_vc_json', presentation: VP });
  });
  test('deployed wallet / OID4VP: the compact VP JWT itself', () => {
    assert.deepEqual(decode(VP), { encoding: 'compact', format: 'jwt_vc_json', presentation: VP });
  });
  test('PWA: standard base64 with padding of {queryId: [VP JWT]} answers that jwt_vc_json query', () => {
    const raw = b64(JSON.stringify({ [JWT_Q]: [VP] }));
    assert.ok(raw.endsWith('=') || raw.length % 4 === 0);
    const d = decode(raw);
    assert.equal(d.query?.id, JWT_Q);
    assert.deepEqual([d.encoding, d.format, d.presentation], ['base64', 'jwt_vc_json', VP]);
  });
  test('PWA: standard base64 of {queryId: "SD-JWT~…~KB-JWT"} (a string, not an array) answers that dc+sd-jwt query', () => {
    const d = decode(b64(JSON.stringify({ [SD_Q]: SD })));
    assert.equal(d.query?.id, SD_Q);
    assert.deepEqual([d.format, d.presentation], ['dc+sd-jwt', SD]);
  });
  test('PWA without DCQL: base64 of a bare SD-JWT, and a raw SD-JWT, are bare dc+sd-jwt presentations', () => {
    assert.deepEqual(decode(b64(SD)), { encoding: 'base64', format: 'dc+sd-jwt', presentation: SD });
    assert.deepEqual(decode(SD), { encoding: 'compact', format: 'dc+sd-jwt', presentation: SD });
  });
  test('OpenID4VP 1.0: the DCQL map as raw JSON (arrays for both formats)', () => {
    assert.equal(decode(JSON.stringify({ [JWT_Q]: [VP] })).query?.id, JWT_Q);
    const d = decode(JSON.stringify({ [SD_Q]: [SD] }));
    assert.deepEqual([d.encoding, d.query?.id, d.format], ['json', SD_Q, 'dc+sd-jwt']);
  });
  test('the queries sent are an input: a key is judged against the list given', () => {
    const only = [{ id: 'custom', format: 'jwt_vc_json' as const }];
    assert.equal(decodeVpToken(JSON.stringify({ custom: [VP] }), only).query?.id, 'custom');
    assert.throws(() => decodeVpToken(JSON.stringify({ [JWT_Q]: [VP] }), only), (e: unknown) => e instanceof VerifierError && e.code === 'ERR_VP_TOKEN_QUERY_UNKNOWN');
  });
});

describe('vp_token decoder refusals (each differs from an accepted twin in one property)', () => {
  test('a map key naming no query this login sent is ERR_VP_TOKEN_QUERY_UNKNOWN', () => {
    refused(b64(JSON.stringify({ other_query: [VP] })), 'ERR_VP_TOKEN_QUERY_UNKNOWN');
    refused(b64(JSON.stringify({ __proto__: [VP] }).replace('{}', `{"__proto__":["${VP}"]}`)), 'ERR_VP_TOKEN_QUERY_UNKNOWN');
  });
  test('an SD-JWT under the jwt_vc_json query, or a VP JWT under the dc+sd-jwt query, is ERR_VP_TOKEN_QUERY_MISMATCH', () => {
    refused(b64(JSON.stringify({ [JWT_Q]: [SD] })), 'ERR_VP_TOKEN_QUERY_MISMATCH');
    refused(b64(JSON.stringify({ [SD_Q]: VP })), 'ERR_VP_TOKEN_QUERY_MISMATCH');
  });
  test('two presentations (two queries, or two under one) are ERR_VP_TOKEN_PRESENTATIONS', () => {
    refused(b64(JSON.stringify({ [JWT_Q]: [VP], [SD_Q]: SD })), 'ERR_VP_TOKEN_PRESENTATIONS');
    refused(b64(JSON.stringify({ [JWT_Q]: [VP, VP] })), 'ERR_VP_TOKEN_PRESENTATIONS');
  });
  const encodingCases: Array<[string, string]> = [
    ['an empty map', b64('{}')],
    ['an empty array', b64(JSON.stringify({ [JWT_Q]: [] }))],
    ['an object presentation (ldp_vc)', b64(JSON.stringify({ [JWT_Q]: [{ vp: 1 }] }))],
    ['a nested array', b64(JSON.stringify({ [JWT_Q]: [[VP]] }))],
    ['a repeated query id', b64(`{"${JWT_Q}":["${VP}"],"${JWT_Q}":["${VP}"]}`)],
    ['a JSON array instead of a map', b64(JSON.stringify([VP]))],
    ['broken JSON', b64(`{"${JWT_Q}":["${VP}"]`)],
    ['a value that is not a JWT', b64(JSON.stringify({ [JWT_Q]: ['not a jwt'] }))],
    ['a two-segment JWT', VP.split('.').slice(0, 2).join('.')],
    ['base64 of text that is no presentation', b64('hello world')],
    ['mixed base64 alphabets', `${b64(VP).slice(0, 8)}-_${b64(VP).slice(10)}`],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64')],
    ['an empty value', ''],
  ];
  for (const [what, raw] of encodingCases) {
    test(`${what} is ERR_VP_TOKEN_ENCODING`, () => refused(raw, 'ERR_VP_TOKEN_ENCODING'));
  }
  test('bounded: a value over the length cap and a map over the entry cap are refused before any parsing of presentations', () => {
    refused('A'.repeat(VP_TOKEN_LIMITS.maxLength + 1), 'ERR_VP_TOKEN_ENCODING', /exceeds/);
    const many = Object.fromEntries(Array.from({ length: VP_TOKEN_LIMITS.maxEntries + 1 }, (_, i) => [`q${i}`, [VP]]));
    refused(JSON.stringify(many), 'ERR_VP_TOKEN_ENCODING', /more than/);
    refused(JSON.stringify({ [JWT_Q]: Array.from({ length: VP_TOKEN_LIMITS.maxPerEntry + 1 }, () => VP) }), 'ERR_VP_TOKEN_ENCODING', /more than/);
    refused(`{"${JWT_Q}":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'ERR_VP_TOKEN_ENCODING', /deeper/);
  });
});

describe('query satisfaction', () => {
  const [jwtQ, sdQ] = DEFAULT_SENT_QUERIES as [typeof DEFAULT_SENT_QUERIES[0], typeof DEFAULT_SENT_QUERIES[0]];
  test('a jwt_vc_json query needs every credential_definition type (and one type_values alternative)', () => {
    assert.equal(typesSatisfy(jwtQ, ['VerifiableCredential', 'learcredential.employee.w3c.4']), true);
    assert.equal(typesSatisfy(jwtQ, ['VerifiableCredential', 'LEARCredentialEmployee']), false);
    assert.equal(typesSatisfy({ id: 'x', format: 'jwt_vc_json' }, ['anything']), true);
  });
  test('a dc+sd-jwt query needs a vct among vct_values', () => {
    assert.equal(vctSatisfies(sdQ, 'learcredential.employee.sd.1'), true);
    assert.equal(vctSatisfies(sdQ, 'eu.europa.ec.eudi.lce.1'), true);
    assert.equal(vctSatisfies(sdQ, 'learcredential.machine.sd.1'), false);
    assert.equal(vctSatisfies(sdQ, undefined), false);
  });
});
