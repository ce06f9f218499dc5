import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectTrustFramework } from './select-trust-framework.ts';
import type { TrustFrameworkConfig } from './schema.ts';

const tf = (name: string): TrustFrameworkConfig => ({ name, trustedIssuersListUrl: `https://${name}.example.org/`, trustedServicesListUrl: `https://${name}.example.org/tsl`, legacyReadEnabled: true, bumpedReadEnabled: true });
const config = (list: TrustFrameworkConfig[]) => ({ verifier: { backend: { trustFrameworks: list } } }) as unknown as Parameters<typeof selectTrustFramework>[0];

test('the entry named DOME (case-insensitive) is selected, else the first, else none', () => {
  assert.equal(selectTrustFramework(config([tf('other'), tf('Dome')]))?.name, 'Dome');
  assert.equal(selectTrustFramework(config([tf('a'), tf('b')]))?.name, 'a');
  assert.equal(selectTrustFramework(config([])), undefined);
});
