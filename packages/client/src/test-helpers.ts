/** Test-only helpers of the client package. */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';

/** A syntactically real compact VC-JWT (content irrelevant to the client package). */
export async function fakeVcJwt(sub = 'did:key:zDnaeExample'): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return new SignJWT({ sub, vc: { type: ['LEARCredentialMachine', 'VerifiableCredential'] } })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .sign(privateKey);
}
