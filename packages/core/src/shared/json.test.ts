import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_JSON_DEPTH, exceedsDepth, hasDuplicateKeys, isRecord, JsonInputError, parseJsonObject, sortedCopy } from './json.ts';

/** `{"a":{"a":{…1…}}}` nested `levels` objects deep (the outermost counts as level 1). */
const nestedObjects = (levels: number): string => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;

function rejectsWith(text: string, reason: JsonInputError['reason'], options?: Parameters<typeof parseJsonObject>[1]): void {
  assert.throws(() => parseJsonObject(text, options), (e: unknown) => {
    assert.ok(e instanceof JsonInputError, `expected JsonInputError, got ${String(e)}`);
    assert.equal(e.reason, reason);
    return true;
  });
}

describe('parseJsonObject', () => {
  test('returns the parsed object for a JSON object text', () => {
    assert.deepEqual(parseJsonObject('{"a":1,"b":[true,null,"x"]}'), { a: 1, b: [true, null, 'x'] });
  });

  test('refuses text that is not JSON', () => {
    for (const text of ['', '{', '{"a":1,}', "{'a':1}", 'undefined', '{"a":01}']) rejectsWith(text, 'syntax');
    assert.throws(() => parseJsonObject('{'), { message: 'is not valid JSON' });
  });

  test('refuses JSON values that are not objects (arrays, null, scalars)', () => {
    for (const text of ['[]', '[{"a":1}]', 'null', '1', '"s"', 'true']) rejectsWith(text, 'not_object');
    assert.throws(() => parseJsonObject('null'), { message: 'is not a JSON object' });
  });

  test('caps nesting depth at 32 levels by default', () => {
    assert.equal(DEFAULT_MAX_JSON_DEPTH, 32);
    assert.doesNotThrow(() => parseJsonObject(nestedObjects(32)));
    rejectsWith(nestedObjects(33), 'depth');
    assert.throws(() => parseJsonObject(nestedObjects(33)), { message: 'nests deeper than 32 levels' });
  });

  test('counts arrays as nesting levels and honours a custom maxDepth', () => {
    assert.doesNotThrow(() => parseJsonObject('{"a":[[1]]}', { maxDepth: 3 }));
    rejectsWith('{"a":[[[1]]]}', 'depth', { maxDepth: 3 });
    rejectsWith('{"a":[{"b":{}}]}', 'depth', { maxDepth: 3 });
    assert.throws(() => parseJsonObject('{"a":{}}', { maxDepth: 1 }), { message: 'nests deeper than 1 levels' });
  });

  test('a very deep document is refused without a stack overflow', () => {
    rejectsWith(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'depth');
  });

  test('accepts repeated member names unless asked to reject them (JSON.parse keeps the last)', () => {
    assert.deepEqual(parseJsonObject('{"alg":"ES256","alg":"none"}'), { alg: 'none' });
    rejectsWith('{"alg":"ES256","alg":"none"}', 'duplicate_key', { rejectDuplicateKeys: true });
    assert.throws(() => parseJsonObject('{"a":1,"a":1}', { rejectDuplicateKeys: true }), { message: 'repeats a member name' });
  });

  test('checks depth before duplicates and syntax before both', () => {
    rejectsWith('{"a":1,"a":', 'syntax', { rejectDuplicateKeys: true });
    rejectsWith(`{"a":1,"a":${nestedObjects(40)}}`, 'depth', { rejectDuplicateKeys: true });
  });
});

describe('hasDuplicateKeys', () => {
  test('finds a member name repeated in the top-level object', () => {
    assert.equal(hasDuplicateKeys('{"a":1,"b":2,"a":3}'), true);
    assert.equal(hasDuplicateKeys('{"a":1,"b":2,"c":3}'), false);
    assert.equal(hasDuplicateKeys('{}'), false);
  });

  test('finds a member name repeated after an escaped spelling of it', () => {
    assert.equal(hasDuplicateKeys('{"alg":"ES256","\\u0061lg":"none"}'), true);
    assert.equal(hasDuplicateKeys('{"a\\"b":1,"a\\u0022b":2}'), true);
    assert.equal(hasDuplicateKeys('{"a\\\\":1,"a":2}'), false); // `a\` and `a` differ
    assert.equal(hasDuplicateKeys('{"\\/":1,"/":2}'), true);
  });

  test('finds duplicates inside nested objects and objects inside arrays', () => {
    assert.equal(hasDuplicateKeys('{"h":{"x":1,"x":2}}'), true);
    assert.equal(hasDuplicateKeys('{"list":[{"k":1},{"k":2,"k":3}]}'), true);
    assert.equal(hasDuplicateKeys('{"a":{"b":{"c":{"d":1,"d":2}}}}'), true);
  });

  test('does not confuse the same name in sibling or nested objects with a duplicate', () => {
    assert.equal(hasDuplicateKeys('{"a":{"a":{"a":1}}}'), false);
    assert.equal(hasDuplicateKeys('{"list":[{"k":1},{"k":2}],"k":3}'), false);
    assert.equal(hasDuplicateKeys('{"x":{"k":1},"y":{"k":2}}'), false);
  });

  test('finds a duplicate that follows a nested object or array value', () => {
    assert.equal(hasDuplicateKeys('{"a":{"b":1},"a":2}'), true);
    assert.equal(hasDuplicateKeys('{"a":[1,{"b":2}],"a":3}'), true);
  });

  test('does not read member names out of string values', () => {
    assert.equal(hasDuplicateKeys('{"a":"{\\"a\\":1,\\"a\\":2}","b":"a"}'), false);
    assert.equal(hasDuplicateKeys('{"a":"x,\\"a\\":","b":["a","a"]}'), false);
    assert.equal(hasDuplicateKeys('{"a":"}],{","a":1}'), true);
  });

  test('tolerates insignificant whitespace', () => {
    assert.equal(hasDuplicateKeys('{ "a" : 1 ,\n\t"a" : 2 }'), true);
    assert.equal(hasDuplicateKeys('{ "a" : [ { "a" : 1 } ] }'), false);
  });
});

describe('exceedsDepth', () => {
  test('scalars have depth 0 and an empty object depth 1', () => {
    assert.equal(exceedsDepth(1, 0), false);
    assert.equal(exceedsDepth(null, 0), false);
    assert.equal(exceedsDepth({}, 1), false);
    assert.equal(exceedsDepth({}, 0), true);
    assert.equal(exceedsDepth({ a: [{}] }, 2), true);
    assert.equal(exceedsDepth({ a: [{}] }, 3), false);
  });
});

describe('isRecord', () => {
  test('is true only for non-null, non-array objects', () => {
    assert.equal(isRecord({}), true);
    assert.equal(isRecord(Object.create(null)), true);
    for (const v of [null, undefined, [], 'x', 1, true]) assert.equal(isRecord(v), false);
  });
});

describe('sortedCopy', () => {
  test('sorts object keys alphabetically at every level, as Jackson SORT_PROPERTIES_ALPHABETICALLY', () => {
    const out = sortedCopy({ b: 1, a: { z: 1, y: [{ d: 1, c: 2 }] }, C: 0 });
    assert.equal(JSON.stringify(out), '{"C":0,"a":{"y":[{"c":2,"d":1}],"z":1},"b":1}');
  });

  test('drops null and undefined members (NON_NULL) but keeps other falsy values', () => {
    assert.deepEqual(sortedCopy({ a: null, b: undefined, c: 0, d: '', e: false, f: { g: null } }), { c: 0, d: '', e: false, f: {} });
  });

  test('keeps array order and array elements that are null', () => {
    assert.deepEqual(sortedCopy([3, null, { b: 1, a: null }, 1]), [3, null, { b: 1 }, 1]);
  });

  test('returns scalars unchanged and never mutates its input', () => {
    assert.equal(sortedCopy('x'), 'x');
    assert.equal(sortedCopy(null), null);
    const input = { b: { d: 1, c: null }, a: 1 };
    const frozen = structuredClone(input);
    const out = sortedCopy(input) as Record<string, unknown>;
    assert.deepEqual(input, frozen);
    assert.notEqual(out.b, input.b);
    assert.deepEqual(Object.keys(input), ['b', 'a']);
  });
});
