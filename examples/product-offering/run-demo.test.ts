/** The example runs end to end: verifier + protected API + machine client with the SDK. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from './run-demo.ts';

test('the product-offering example: a valid machine token reads the API, creating needs the ProductOffering/Create power', async () => {
  const lines: string[] = [];
  const report = await runDemo((l) => lines.push(l));
  const [me, list, create] = report.withOnboardingPower;
  assert.equal(me!.status, 200);
  assert.deepEqual(me!.body, { kind: 'machine', subject: (me!.body as { subject: string }).subject, organization: 'VATES-D0000001', isLEAR: true, canCreateOfferings: false });
  assert.equal(list!.status, 200);
  assert.equal(create!.status, 403);
  assert.equal((create!.body as { error: string }).error, 'insufficient_scope');
  const created = report.withProductOfferingPower[2]!;
  assert.equal(created.status, 201);
  assert.equal((created.body as { name: string }).name, 'Edge compute, 8 vCPU');
  assert.ok(lines.some((l) => l.startsWith('5.')));
});
