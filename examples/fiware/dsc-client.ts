/**
 * A machine client doing what the FIWARE Data Space Connector's `get_access_token_oid4vp.sh`
 * does: read `token_endpoint` from the service's discovery document, wrap the credential in a
 * VP JSON with the holder, sign it as an ES256 JWT (`kid` = the holder did:key; claims `iss`,
 * `sub`, `vp` — no `aud`, `nonce` or `exp`), and POST `grant_type=vp_token&vp_token=…&scope=…`.
 */
import type { KeyObject } from 'node:crypto';
import { signJws } from '@dome-verifier/core';

export interface DidKeyHolder {
  did: string;
  privateKey: KeyObject;
}

export function dscVpJwt(holder: DidKeyHolder, credentialJwt: string): string {
  const vp = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [credentialJwt], holder: holder.did };
  return signJws({ alg: 'ES256', typ: 'JWT', kid: holder.did }, { iss: holder.did, sub: holder.did, vp }, holder.privateKey);
}

export async function getAccessToken(serviceDiscoveryUrl: string, holder: DidKeyHolder, credentialJwt: string, scope: string): Promise<Record<string, unknown>> {
  const metadata = (await (await fetch(serviceDiscoveryUrl)).json()) as { token_endpoint: string };
  const res = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
    body: new URLSearchParams({ grant_type: 'vp_token', vp_token: dscVpJwt(holder, credentialJwt), scope }).toString(),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}
