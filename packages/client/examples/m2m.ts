/**
 * M2M in ~10 lines: a machine with a LEARCredentialMachine calls a DOME API protected by the
 * verifier. The client discovers the verifier, builds the VP client assertion, caches the token,
 * refreshes it before expiry and retries once after a 401.
 */
import { readFileSync } from 'node:fs';
import { createMachineClient } from '@dome-verifier/client';

export async function main(): Promise<void> {
  const client = createMachineClient({
    issuer: 'https://verifier.dome-marketplace.eu',
    key: readFileSync('machine.jwk', 'utf8'), // JWK, PEM or hex P-256 private key
    credential: readFileSync('machine-credential.jwt', 'utf8'), // LEARCredentialMachine VC-JWT
  });
  const res = await client.fetch('https://api.example.org/tmf-api/productCatalogManagement/v4/productOffering');
  console.log(res.status, await res.json());
}
