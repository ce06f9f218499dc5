import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { ALL_ALGS, assertKeyMatchesAlg, checkJwsHeader, decodeJws, signJws, verifyJws, type JwsAlg, type JwsHeader } from './jws.ts';
import { JoseError, type JoseErrorCode } from './errors.ts';

interface Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const keys = {} as Record<'p256' | 'p384' | 'p521' | 'rsa' | 'rsaPss' | 'rsa1024' | 'ed25519' | 'ed448', Pair>;

before(() => {
  keys.p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  keys.p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  keys.p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  keys.rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keys.rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  keys.rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  keys.ed25519 = generateKeyPairSync('ed25519');
  keys.ed448 = generateKeyPairSync('ed448');
});

const KEY_FOR: Record<JwsAlg, keyof typeof keys> = {
  ES256: 'p256', ES384: 'p384', ES512: 'p521',
  PS256: 'rsa', PS384: 'rsa', PS512: 'rsa',
  RS256: 'rsa', RS384: 'rsa', RS512: 'rsa',
  EdDSA: 'ed25519',
};

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** Compact token from raw parts (no signature computed). */
const raw = (header: unknown, payload: unknown, signature = 'c2ln') => `${b64u(header)}.${b64u(payload)}.${signature}`;
const DECODE = { maxLength: 100_000 };
const PAYLOAD = { iss: 'did:key:zTest', n: 1 };

function throwsJose(fn: () => unknown, code: JoseErrorCode, message?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof JoseError, `expected JoseError, got ${String(e)}`);
    assert.equal(e.code, code, `code for "${e.message}"`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

function signed(alg: JwsAlg, extra: Record<string, unknown> = {}, payload: Record<string, unknown> = PAYLOAD): string {
  return signJws({ alg, ...extra } as JwsHeader, payload, keys[KEY_FOR[alg]].privateKey);
}

describe('signJws + verifyJws', () => {
  for (const alg of ALL_ALGS) {
    test(`round-trips ${alg}`, () => {
      const token = signed(alg, { kid: 'k1', typ: 'JWT' });
      const jws = decodeJws(token, DECODE);
      assert.deepEqual(jws.header, { alg, kid: 'k1', typ: 'JWT' });
      assert.deepEqual(jws.payload, PAYLOAD);
      verifyJws(jws, keys[KEY_FOR[alg]].publicKey, { algorithms: [alg] });
    });
  }

  test('EdDSA also round-trips with an Ed448 key', () => {
    const token = signJws({ alg: 'EdDSA' }, PAYLOAD, keys.ed448.privateKey);
    verifyJws(decodeJws(token, DECODE), keys.ed448.publicKey, { algorithms: ['EdDSA'] });
  });

  test('PS256 verifies with an rsa-pss key as well as a plain rsa key', () => {
    const token = signJws({ alg: 'PS256' }, PAYLOAD, keys.rsaPss.privateKey);
    verifyJws(decodeJws(token, DECODE), keys.rsaPss.publicKey, { algorithms: ['PS256'] });
  });

  test('ES256 signatures are IEEE P1363 (r||s, 64 bytes), not DER', () => {
    const jws = decodeJws(signed('ES256'), DECODE);
    assert.equal(jws.signature.length, 64);
    assert.equal(decodeJws(signed('ES384'), DECODE).signature.length, 96);
    assert.equal(decodeJws(signed('ES512'), DECODE).signature.length, 132);
  });

  test('signJws serialises the header and payload exactly as given', () => {
    const token = signJws({ alg: 'ES256', typ: 'JWT', kid: 'x' }, { b: 1, a: 2 }, keys.p256.privateKey);
    const [h, p] = token.split('.');
    assert.equal(Buffer.from(h!, 'base64url').toString(), '{"alg":"ES256","typ":"JWT","kid":"x"}');
    assert.equal(Buffer.from(p!, 'base64url').toString(), '{"b":1,"a":2}');
  });

  test('refuses a payload changed after signing', () => {
    const [h, , s] = signed('ES256').split('.');
    const jws = decodeJws(`${h}.${b64u({ ...PAYLOAD, n: 2 })}.${s}`, DECODE);
    throwsJose(() => verifyJws(jws, keys.p256.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE_INVALID', 'JWS signature is invalid');
  });

  test('refuses a signature made by another key of the right type', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jws = decodeJws(signJws({ alg: 'ES256' }, PAYLOAD, other.privateKey), DECODE);
    throwsJose(() => verifyJws(jws, keys.p256.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE_INVALID');
  });

  test('refuses an RS256 signature presented as PS256 and vice versa (padding is bound to alg)', () => {
    const rs = signed('RS256');
    const [, p, s] = rs.split('.');
    const asPs = decodeJws(`${b64u({ alg: 'PS256' })}.${p}.${s}`, DECODE);
    throwsJose(() => verifyJws(asPs, keys.rsa.publicKey, { algorithms: ['PS256'] }), 'ERR_JWS_SIGNATURE_INVALID');
  });

  test('refuses an alg that the caller does not allow, before touching the key', () => {
    const jws = decodeJws(signed('RS256'), DECODE);
    throwsJose(() => verifyJws(jws, keys.rsa.publicKey, { algorithms: ['ES256', 'PS256'] }), 'ERR_JWS_ALG_NOT_ALLOWED', 'JWS alg "RS256" is not allowed here');
  });
});

describe('signature length', () => {
  const withSignature = (alg: JwsAlg, sig: Buffer) => {
    const [h, p] = signed(alg).split('.');
    return decodeJws(`${h}.${p}.${sig.toString('base64url')}`, DECODE);
  };

  test('refuses an ES256 signature that is not exactly 64 bytes', () => {
    const good = decodeJws(signed('ES256'), DECODE).signature;
    for (const sig of [good.subarray(0, 63), Buffer.concat([good, Buffer.from([0])]), Buffer.concat([Buffer.from([0]), good])]) {
      throwsJose(() => verifyJws(withSignature('ES256', sig), keys.p256.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE_INVALID');
    }
  });

  test('refuses a valid DER-encoded ECDSA signature (only the JOSE r||s form is accepted)', () => {
    const jws = decodeJws(signed('ES256'), DECODE);
    const der = cryptoSign('sha256', Buffer.from(jws.signingInput), keys.p256.privateKey); // default DER encoding
    throwsJose(() => verifyJws({ ...jws, signature: der }, keys.p256.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE_INVALID');
  });

  test('refuses an ES384 or ES512 signature of the wrong length', () => {
    throwsJose(() => verifyJws(withSignature('ES384', Buffer.alloc(64)), keys.p384.publicKey, { algorithms: ['ES384'] }), 'ERR_JWS_SIGNATURE_INVALID');
    throwsJose(() => verifyJws(withSignature('ES512', Buffer.alloc(130)), keys.p521.publicKey, { algorithms: ['ES512'] }), 'ERR_JWS_SIGNATURE_INVALID');
  });

  test('refuses an all-zero ES256 signature of the right length without throwing anything else', () => {
    throwsJose(() => verifyJws(withSignature('ES256', Buffer.alloc(64)), keys.p256.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE_INVALID');
  });

  test('refuses a truncated or empty-ish RSA signature', () => {
    throwsJose(() => verifyJws(withSignature('RS256', Buffer.alloc(1)), keys.rsa.publicKey, { algorithms: ['RS256'] }), 'ERR_JWS_SIGNATURE_INVALID');
  });
});

describe('assertKeyMatchesAlg (no alg/key confusion, RFC 8725 §3.1)', () => {
  const mismatch = (key: KeyObject, alg: JwsAlg) => throwsJose(() => assertKeyMatchesAlg(key, alg), 'ERR_JWS_KEY_MISMATCH', `key type does not match JWS alg "${alg}"`);

  test('refuses an RSA key for ES256 and an EC key for RS256/PS256', () => {
    mismatch(keys.rsa.publicKey, 'ES256');
    mismatch(keys.p256.publicKey, 'RS256');
    mismatch(keys.p256.publicKey, 'PS256');
  });

  test('refuses an EC key on another curve than the alg names', () => {
    mismatch(keys.p384.publicKey, 'ES256');
    mismatch(keys.p256.publicKey, 'ES384');
    mismatch(keys.p521.publicKey, 'ES384');
    mismatch(keys.p256.publicKey, 'ES512');
  });

  test('refuses EdDSA with an EC key and ES256 with an Ed25519 key', () => {
    mismatch(keys.p256.publicKey, 'EdDSA');
    mismatch(keys.ed25519.publicKey, 'ES256');
  });

  test('refuses RSA keys shorter than 2048 bits for RS256 and PS256', () => {
    mismatch(keys.rsa1024.publicKey, 'RS256');
    mismatch(keys.rsa1024.publicKey, 'PS256');
    mismatch(keys.rsa1024.privateKey, 'RS512');
  });

  test('refuses an rsa-pss key for RS256 (PKCS#1 v1.5)', () => {
    mismatch(keys.rsaPss.publicKey, 'RS256');
  });

  test('accepts private and public keys of the matching type', () => {
    for (const alg of ALL_ALGS) {
      assertKeyMatchesAlg(keys[KEY_FOR[alg]].publicKey, alg);
      assertKeyMatchesAlg(keys[KEY_FOR[alg]].privateKey, alg);
    }
    assertKeyMatchesAlg(keys.ed448.publicKey, 'EdDSA');
    assertKeyMatchesAlg(keys.rsaPss.publicKey, 'PS512');
  });

  test('verifyJws refuses a validly signed token when the caller supplies a key of the wrong type', () => {
    const jws = decodeJws(signed('ES256'), DECODE);
    throwsJose(() => verifyJws(jws, keys.rsa.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_KEY_MISMATCH');
    throwsJose(() => verifyJws(jws, keys.p384.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_KEY_MISMATCH');
  });

  test('verifyJws refuses RS256 from a 1024-bit key even though the signature is correct', () => {
    const input = `${b64u({ alg: 'RS256' })}.${b64u(PAYLOAD)}`;
    const sig = cryptoSign('sha256', Buffer.from(input), keys.rsa1024.privateKey).toString('base64url');
    const jws = decodeJws(`${input}.${sig}`, DECODE);
    throwsJose(() => verifyJws(jws, keys.rsa1024.publicKey, { algorithms: ['RS256'] }), 'ERR_JWS_KEY_MISMATCH');
  });

  test('signJws refuses to sign with a key that does not match the alg', () => {
    throwsJose(() => signJws({ alg: 'ES256' }, PAYLOAD, keys.rsa.privateKey), 'ERR_JWS_KEY_MISMATCH');
    throwsJose(() => signJws({ alg: 'RS256' }, PAYLOAD, keys.rsa1024.privateKey), 'ERR_JWS_KEY_MISMATCH');
    throwsJose(() => signJws({ alg: 'ES256' }, PAYLOAD, keys.p384.privateKey), 'ERR_JWS_KEY_MISMATCH');
  });
});

describe('checkJwsHeader: crit and unsupported parameters', () => {
  const SIGT = { sigT: '2025-03-01T10:00:00Z', crit: ['sigT'] };

  test('accepts a critical sigT when the caller understands it (JAdES B-T)', () => {
    checkJwsHeader({ alg: 'RS256', ...SIGT }, { algorithms: ['RS256'], crit: ['sigT'] });
    const token = signed('RS256', SIGT);
    verifyJws(decodeJws(token, DECODE), keys.rsa.publicKey, { algorithms: ['RS256'], crit: ['sigT'] });
  });

  test('refuses a critical sigT when the caller does not list it', () => {
    throwsJose(() => checkJwsHeader({ alg: 'RS256', ...SIGT }, { algorithms: ['RS256'] }), 'ERR_JWS_CRIT_UNSUPPORTED', 'JWS critical header parameter "sigT" is not understood');
    throwsJose(() => checkJwsHeader({ alg: 'RS256', ...SIGT }, { algorithms: ['RS256'], crit: ['b64'] }), 'ERR_JWS_CRIT_UNSUPPORTED');
  });

  test('accepts an uncritical unknown parameter (sigT without crit)', () => {
    checkJwsHeader({ alg: 'RS256', sigT: '2025-03-01T10:00:00Z' }, { algorithms: ['RS256'] });
  });

  test('refuses crit listing a registered header name (RFC 7515 §4.1.11)', () => {
    for (const name of ['alg', 'kid', 'x5c', 'jwk', 'typ', 'cty', 'crit', 'x5t#S256']) {
      throwsJose(
        () => checkJwsHeader({ alg: 'ES256', crit: [name] }, { algorithms: ['ES256'], crit: [name] }),
        'ERR_JWS_MALFORMED',
        'JWS header crit lists an invalid parameter',
      );
    }
  });

  test('refuses crit naming a parameter that the header does not carry', () => {
    throwsJose(() => checkJwsHeader({ alg: 'RS256', crit: ['sigT'] }, { algorithms: ['RS256'], crit: ['sigT'] }), 'ERR_JWS_MALFORMED', 'JWS critical header parameter "sigT" is missing');
  });

  test('refuses crit that is empty, not an array, or lists a non-string', () => {
    const bad: unknown[] = [[], 'sigT', {}, [1], [null], ['sigT', 2]];
    for (const crit of bad) {
      throwsJose(() => checkJwsHeader({ alg: 'RS256', sigT: 'x', crit } as unknown as JwsHeader, { algorithms: ['RS256'], crit: ['sigT'] }), 'ERR_JWS_MALFORMED');
    }
  });

  for (const name of ['jku', 'x5u', 'b64', 'zip', 'enc'] as const) {
    test(`refuses the unsupported header parameter ${name} whatever its value`, () => {
      for (const value of name === 'b64' ? [true, false] : ['https://attacker.example/x', 'DEF']) {
        throwsJose(
          () => checkJwsHeader({ alg: 'ES256', [name]: value }, { algorithms: ['ES256'] }),
          'ERR_JWS_CRIT_UNSUPPORTED',
          `JWS header parameter "${name}" is not supported`,
        );
      }
    });
  }

  test('verifyJws enforces the header policy before the signature (b64:false with crit)', () => {
    const token = signed('ES256', { b64: false, crit: ['b64'] });
    throwsJose(() => verifyJws(decodeJws(token, DECODE), keys.p256.publicKey, { algorithms: ['ES256'], crit: ['b64'] }), 'ERR_JWS_CRIT_UNSUPPORTED');
  });

  test('truncates an attacker-chosen crit name in the message', () => {
    const name = `x${'y'.repeat(100)}`;
    assert.throws(
      () => checkJwsHeader({ alg: 'ES256', crit: [name], [name]: 1 }, { algorithms: ['ES256'] }),
      (e: unknown) => e instanceof JoseError && e.message === `JWS critical header parameter "${name.slice(0, 32)}" is not understood`,
    );
  });
});

describe('decodeJws', () => {
  test('returns header, payload, signing input and raw signature bytes without verifying', () => {
    const token = raw({ alg: 'ES256', kid: 'k' }, { a: 1 }, 'AQID');
    const jws = decodeJws(token, DECODE);
    assert.deepEqual(jws.header, { alg: 'ES256', kid: 'k' });
    assert.deepEqual(jws.payload, { a: 1 });
    assert.equal(jws.signingInput, token.slice(0, token.lastIndexOf('.')));
    assert.deepEqual([...jws.signature], [1, 2, 3]);
  });

  test('refuses a non-string or empty token', () => {
    for (const v of [undefined, null, 42, {}, ['a.b.c'], '']) throwsJose(() => decodeJws(v, DECODE), 'ERR_JWS_MALFORMED', 'JWS must be a non-empty string');
  });

  test('refuses tokens with fewer or more than three segments', () => {
    const [h, p, s] = raw({ alg: 'ES256' }, {}).split('.');
    for (const t of [`${h}`, `${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s}.${s}.${s}.${s}`, '..', '...']) {
      const code = t.split('.').length === 5 ? 'ERR_JWS_IS_JWE' : 'ERR_JWS_MALFORMED';
      throwsJose(() => decodeJws(t, DECODE), code);
    }
    throwsJose(() => decodeJws(`${h}.${p}`, DECODE), 'ERR_JWS_MALFORMED', 'JWS must have three segments');
  });

  test('refuses a five-segment JWE with its own code', () => {
    const jwe = `${b64u({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a2V5.aXY.Y2lwaGVy.dGFn`;
    throwsJose(() => decodeJws(jwe, DECODE), 'ERR_JWS_IS_JWE', 'encrypted JWTs (JWE) are not accepted here');
  });

  test('refuses empty segments', () => {
    const [h, p, s] = raw({ alg: 'ES256' }, {}).split('.');
    for (const t of [`.${p}.${s}`, `${h}..${s}`, `${h}.${p}.`]) throwsJose(() => decodeJws(t, DECODE), 'ERR_JWS_MALFORMED', 'JWS segments must not be empty');
  });

  test('refuses padded, standard-alphabet or otherwise non-base64url segments', () => {
    const [h, p, s] = raw({ alg: 'ES256' }, { a: 1 }).split('.');
    for (const t of [`${h}=.${p}.${s}`, `${h}.${p}==.${s}`, `${h}.${p}.${s}=`, `${h}.${p}.ab+/`, `${h}.${p}.a b`, ` ${h}.${p}.${s}`, `${h}.${p}.${s}\n`]) {
      throwsJose(() => decodeJws(t, DECODE), 'ERR_JWS_MALFORMED', 'JWS segments must be unpadded base64url');
    }
  });

  test('refuses segments that are not the canonical encoding (non-zero trailing bits): no signature malleability', () => {
    const token = signed('ES256');
    const [h, p, sig] = token.split('.') as [string, string, string];
    assert.equal(sig.length % 4, 2); // 64 bytes: the last character carries 4 unused bits
    const last = sig[sig.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!; // same decoded bytes, different text
    assert.deepEqual(Buffer.from(`${sig.slice(0, -1)}${twin}`, 'base64url'), Buffer.from(sig, 'base64url'));
    throwsJose(() => decodeJws(`${h}.${p}.${sig.slice(0, -1)}${twin}`, DECODE), 'ERR_JWS_MALFORMED', 'JWS segments must be unpadded base64url');
    throwsJose(() => decodeJws(`${h}.${p}.${sig}AAA`, DECODE), 'ERR_JWS_MALFORMED', 'JWS segments must be unpadded base64url'); // length ≡ 1 (mod 4)
    decodeJws(token, DECODE);
  });

  test('refuses a header or payload that is not JSON', () => {
    throwsJose(() => decodeJws(`${b64u('{"alg":"ES256"')}.${b64u({})}.c2ln`, DECODE), 'ERR_JWS_MALFORMED', 'JWS header is not valid JSON');
    throwsJose(() => decodeJws(`${b64u({ alg: 'ES256' })}.${b64u('not json')}.c2ln`, DECODE), 'ERR_JWS_MALFORMED', 'JWS payload is not valid JSON');
  });

  test('refuses a header or payload that is JSON but not an object', () => {
    for (const v of [['ES256'], 'ES256', null, 1]) {
      const json = JSON.stringify(v); // raw() sends strings verbatim
      throwsJose(() => decodeJws(raw(json, {}), DECODE), 'ERR_JWS_MALFORMED', 'JWS header is not a JSON object');
      throwsJose(() => decodeJws(raw({ alg: 'ES256' }, json), DECODE), 'ERR_JWS_MALFORMED', 'JWS payload is not a JSON object');
    }
  });

  test('refuses duplicate header member names, even escaped (no parser differential on alg)', () => {
    throwsJose(() => decodeJws(`${b64u('{"alg":"ES256","alg":"none"}')}.${b64u({})}.c2ln`, DECODE), 'ERR_JWS_MALFORMED', 'JWS header repeats a member name');
    throwsJose(() => decodeJws(`${b64u('{"alg":"none","\\u0061lg":"ES256"}')}.${b64u({})}.c2ln`, DECODE), 'ERR_JWS_MALFORMED');
    throwsJose(() => decodeJws(`${b64u('{"alg":"ES256","jwk":{"x":"a","x":"b"}}')}.${b64u({})}.c2ln`, DECODE), 'ERR_JWS_MALFORMED');
  });

  test('accepts duplicate payload member names unless rejectDuplicatePayloadKeys is set', () => {
    const token = `${b64u({ alg: 'ES256' })}.${b64u('{"sub":"a","sub":"b"}')}.c2ln`;
    assert.equal(decodeJws(token, DECODE).payload.sub, 'b');
    throwsJose(() => decodeJws(token, { ...DECODE, rejectDuplicatePayloadKeys: true }), 'ERR_JWS_MALFORMED', 'JWS payload repeats a member name');
  });

  test('caps header nesting at 4 levels and payload nesting at maxDepth (default 32)', () => {
    decodeJws(raw({ alg: 'ES256', a: { b: { c: {} } } }, {}), DECODE);
    throwsJose(() => decodeJws(raw({ alg: 'ES256', a: { b: { c: { d: {} } } } }, {}), DECODE), 'ERR_JWS_MALFORMED', 'JWS header nests deeper than 4 levels');
    let deep: unknown = {};
    for (let i = 0; i < 32; i++) deep = { d: deep };
    throwsJose(() => decodeJws(raw({ alg: 'ES256' }, deep), DECODE), 'ERR_JWS_MALFORMED', 'JWS payload nests deeper than 32 levels');
    throwsJose(() => decodeJws(raw({ alg: 'ES256' }, { a: [[1]] }), { ...DECODE, maxDepth: 2 }), 'ERR_JWS_MALFORMED');
  });

  test('refuses a token longer than maxLength before parsing anything', () => {
    const token = raw({ alg: 'ES256' }, { pad: 'x'.repeat(200) });
    decodeJws(token, { maxLength: token.length });
    throwsJose(() => decodeJws(token, { maxLength: token.length - 1 }), 'ERR_JWS_TOO_LARGE', `JWS exceeds ${token.length - 1} characters`);
    throwsJose(() => decodeJws(`${'a'.repeat(50)}`, { maxLength: 10 }), 'ERR_JWS_TOO_LARGE');
  });

  test('caps the encoded header at 2048 characters by default, and at maxHeaderLength when given', () => {
    const headerOf = (len: number) => {
      const base = { alg: 'ES256', pad: '' };
      const overhead = b64u(base).length;
      // each 3 bytes of padding add 4 characters; pick a pad length that lands on `len` exactly
      for (let n = 0; n < 3 * len; n++) if (b64u({ ...base, pad: 'x'.repeat(n) }).length === len) return { ...base, pad: 'x'.repeat(n) };
      throw new Error(`no header of length ${len} (overhead ${overhead})`);
    };
    const at = raw(headerOf(2048), {});
    decodeJws(at, DECODE);
    const over = raw(headerOf(2052), {});
    throwsJose(() => decodeJws(over, DECODE), 'ERR_JWS_TOO_LARGE', 'JWS header exceeds 2048 characters');
    decodeJws(over, { ...DECODE, maxHeaderLength: 24 * 1024 });
    throwsJose(() => decodeJws(at, { ...DECODE, maxHeaderLength: 100 }), 'ERR_JWS_TOO_LARGE', 'JWS header exceeds 100 characters');
  });

  test('refuses a missing or empty alg, and algs outside the supported set (none, HS256, RSA-OAEP)', () => {
    throwsJose(() => decodeJws(raw({ typ: 'JWT' }, {}), DECODE), 'ERR_JWS_MALFORMED', 'JWS header alg is missing');
    throwsJose(() => decodeJws(raw({ alg: '' }, {}), DECODE), 'ERR_JWS_MALFORMED');
    throwsJose(() => decodeJws(raw({ alg: 256 }, {}), DECODE), 'ERR_JWS_MALFORMED');
    for (const alg of ['none', 'None', 'HS256', 'es256', 'RSA-OAEP', 'ES256K']) {
      throwsJose(() => decodeJws(raw({ alg }, {}), DECODE), 'ERR_JWS_ALG_NOT_ALLOWED', `JWS alg "${alg}" is not accepted`);
    }
    throwsJose(() => decodeJws(raw({ alg: 'A'.repeat(100) }, {}), DECODE), 'ERR_JWS_ALG_NOT_ALLOWED', `JWS alg "${'A'.repeat(16)}" is not accepted`);
  });

  test('refuses a kid that is not a string of at most 512 characters and a typ that is not a string', () => {
    decodeJws(raw({ alg: 'ES256', kid: 'k'.repeat(512) }, {}), DECODE);
    for (const kid of [1, null, ['k'], 'k'.repeat(513)]) {
      throwsJose(() => decodeJws(raw({ alg: 'ES256', kid }, {}), DECODE), 'ERR_JWS_MALFORMED', 'JWS header kid must be a string of at most 512 characters');
    }
    throwsJose(() => decodeJws(raw({ alg: 'ES256', typ: 1 }, {}), DECODE), 'ERR_JWS_MALFORMED', 'JWS header typ must be a string');
  });
});
