/** M2M: the token alone (for another HTTP client), and the typed errors. */
import { createMachineClient, TokenRequestError } from '@dome-verifier/client';

export async function bearerToken(key: string, credential: string): Promise<string | undefined> {
  const client = createMachineClient({ issuer: 'https://verifier.dome-marketplace.eu', key, credential, refreshSkewSeconds: 120 });
  try {
    return await client.getToken(); // cached; concurrent callers share one request
  } catch (e) {
    if (!(e instanceof TokenRequestError)) throw e;
    console.error(`no token: ${e.error} (HTTP ${e.status}) ${e.description ?? ''}`); // never a secret
    return undefined;
  }
}

export async function main(): Promise<void> {
  const token = await bearerToken(process.env.MACHINE_KEY ?? '', process.env.MACHINE_CREDENTIAL ?? '');
  console.log(token ? 'got a token' : 'no token');
}
