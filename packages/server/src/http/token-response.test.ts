import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenResponseJson } from './token-response.ts';

test('a token answer serializes to exactly what JSON.stringify gives, members in order, undefined ones left out', () => {
  const answers = [
    { access_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', token_type: 'Bearer', expires_in: 3600, scope: 'machine learcredential' },
    { access_token: 'a.b.c', id_token: 'd.e.f', refresh_token: 'Zm9vYmFy-_', token_type: 'Bearer', expires_in: 300, scope: undefined },
    { token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', expires_in: 3600, access_token: 'x.y.z', id_token: 'x.y.z', scope: 'default,"quoted"' },
    {},
  ];
  for (const a of answers) assert.equal(tokenResponseJson(a), JSON.stringify(a));
});

test('a token member holding a quote or a backslash is escaped as JSON.stringify escapes it', () => {
  const a = { access_token: 'a"b', id_token: 'c\\d', refresh_token: 'e\u0000f' };
  assert.deepEqual(JSON.parse(tokenResponseJson({ access_token: a.access_token, id_token: a.id_token })), { access_token: 'a"b', id_token: 'c\\d' });
  assert.equal(tokenResponseJson({ access_token: a.access_token }), JSON.stringify({ access_token: a.access_token }));
});
