import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../../errors/verifier-error.ts';
import { parseFormBody } from './parse-form-body.ts';

function duplicate(body: string, name: string): void {
  assert.throws(() => parseFormBody(body), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_REQUEST_DUPLICATE_PARAMETER');
    assert.equal(e.message, `parameter ${name} must not be sent more than once`);
    assert.equal(e.status, 400);
    return true;
  });
}

describe('parseFormBody', () => {
  test('parses a client_credentials token request', () => {
    const body = 'grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJ.eyJ.sig';
    assert.deepEqual({ ...parseFormBody(body) }, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'eyJ.eyJ.sig',
    });
  });

  test('decodes percent escapes and + as space', () => {
    assert.deepEqual({ ...parseFormBody('scope=machine+learcredential&x=a%2Bb%20c&%C3%A9=%E2%82%AC') }, { scope: 'machine learcredential', x: 'a+b c', é: '€' });
  });

  test('refuses a parameter sent twice (RFC 6749 §3.2), even with equal values', () => {
    duplicate('grant_type=client_credentials&grant_type=client_credentials', 'grant_type');
    duplicate('scope=a&client_id=x&scope=b', 'scope');
  });

  test('refuses a duplicate even when one of the occurrences is empty', () => {
    duplicate('scope=&scope=machine', 'scope');
    duplicate('scope=machine&scope=', 'scope');
  });

  test('treats names as case-sensitive (Scope and scope are different parameters)', () => {
    assert.deepEqual({ ...parseFormBody('scope=a&Scope=b') }, { scope: 'a', Scope: 'b' });
  });

  test('treats percent-encoded and plain spellings of one name as the same parameter', () => {
    duplicate('grant_type=a&grant%5Ftype=b', 'grant_type');
  });

  test('truncates a long duplicate name in the message', () => {
    const name = 'n'.repeat(100);
    assert.throws(() => parseFormBody(`${name}=1&${name}=2`), { message: `parameter ${'n'.repeat(64)} must not be sent more than once` });
  });

  test('drops parameters sent with an empty value (RFC 6749 §3.1: treated as omitted)', () => {
    const out = parseFormBody('grant_type=client_credentials&scope=&resource=&client_id');
    assert.deepEqual({ ...out }, { grant_type: 'client_credentials' });
    assert.equal('scope' in out, false);
  });

  test('keeps unknown parameters', () => {
    assert.deepEqual({ ...parseFormBody('grant_type=x&foo=bar') }, { grant_type: 'x', foo: 'bar' });
  });

  test('treats __proto__, constructor and other Object.prototype names as plain data (no prototype pollution)', () => {
    const out = parseFormBody('__proto__=polluted&constructor=c&toString=t&hasOwnProperty=h&valueOf=v');
    assert.equal(Object.getPrototypeOf(out), null);
    assert.equal(out.__proto__, 'polluted');
    assert.equal(out.constructor, 'c');
    assert.equal(out.toString, 't');
    assert.equal(out.hasOwnProperty, 'h');
    assert.deepEqual(Object.keys(out), ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  test('a request without a parameter does not inherit one from Object.prototype', () => {
    const out = parseFormBody('grant_type=x');
    assert.equal(out.constructor, undefined);
    assert.equal(out.toString, undefined);
    assert.equal(out.__proto__, undefined);
  });

  test('duplicates of prototype names are still detected', () => {
    duplicate('__proto__=a&__proto__=b', '__proto__');
  });

  test('an empty body gives no parameters', () => {
    assert.deepEqual(Object.keys(parseFormBody('')), []);
    assert.deepEqual(Object.keys(parseFormBody('&&&')), []);
  });

  test('refuses malformed percent escapes in names or values', () => {
    for (const body of ['a=%zz', 'b=%', 'a=%E0%A4%A', '%zz=1', 'grant_type=x&scope=%']) {
      assert.throws(() => parseFormBody(body), (e: unknown) => {
        assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
        assert.equal(e.code, 'ERR_REQUEST_MALFORMED');
        assert.equal(e.message, 'the body is not a valid form (bad percent-encoding)');
        return true;
      }, body);
    }
  });

  test('splits name and value at the first =; a leading ? is part of the first name', () => {
    assert.deepEqual({ ...parseFormBody('a=b=c') }, { a: 'b=c' });
    assert.deepEqual({ ...parseFormBody('?grant_type=x') }, { '?grant_type': 'x' });
    assert.deepEqual({ ...parseFormBody('x=%00') }, { x: '\u0000' });
  });
});
