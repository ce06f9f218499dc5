/**
 * Token-request bodies for the benchmarks: a fresh client assertion (new `jti`) around the demo
 * machine's DOME-sized presentation (RS256 x5c credential, ES256 VP; ≈ 17 KB form body).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJws } from '@dome-verifier/core';
import { loadP256PrivateKey, createVpJwt } from '@dome-verifier/client';

export interface M2mBodies {
  readonly clientId: string;
  /** A new form body, a new assertion each call. */
  body(): string;
}

export async function m2mBodies(issuer: string, dataDir: string): Promise<M2mBodies> {
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo', 'demo.json'), 'utf8')) as { machine: { did: string; keyPath: string; credentialPath: string } };
  const key = loadP256PrivateKey(readFileSync(demo.machine.keyPath, 'utf8'));
  const credential = readFileSync(demo.machine.credentialPath, 'utf8').trim();
  const vpJwt = await createVpJwt({ credentials: [credential], holderKey: key.privateKey, holderDid: key.did, lifetimeSeconds: 3600 });
  const vpToken = Buffer.from(vpJwt).toString('base64');
  const clientId = demo.machine.did;
  let n = 0;
  const prefix = `grant_type=client_credentials&client_id=${encodeURIComponent(clientId)}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;
  return {
    clientId,
    body() {
      const iat = Math.floor(Date.now() / 1000);
      const assertion = signJws({ alg: 'ES256', typ: 'JWT', kid: clientId }, { iss: clientId, sub: clientId, aud: issuer, iat, exp: iat + 60, jti: `bench-${process.pid}-${n++}`, vp_token: vpToken }, key.privateKey);
      return `${prefix}${assertion}`; // a compact JWS is URL-safe: no encoding needed
    },
  };
}
