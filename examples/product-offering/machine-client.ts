/**
 * The machine side: a backend service with its P-256 key and LEARCredentialMachine obtains
 * tokens from the verifier with @dome-verifier/client and calls the protected API.
 */
import { createMachineClient, type MachineKeyInput } from '@dome-verifier/client';

export interface CallResult {
  step: string;
  status: number;
  body: unknown;
}

export async function callProductOfferingApi(o: { issuer: string; apiUrl: string; key: MachineKeyInput; credential: string; offeringName: string }): Promise<CallResult[]> {
  const client = createMachineClient({ issuer: o.issuer, key: o.key, credential: o.credential });
  const results: CallResult[] = [];
  const call = async (step: string, path: string, init?: RequestInit) => {
    const res = await client.fetch(`${o.apiUrl}${path}`, init);
    const text = await res.text();
    results.push({ step, status: res.status, body: text ? (JSON.parse(text) as unknown) : null });
  };
  await call('who am I', '/me');
  await call('list offerings', '/productOffering');
  await call('create an offering', '/productOffering', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: o.offeringName }) });
  return results;
}
