/**
 * Token-request bodies for the benchmarks: a fresh client assertion (new `jti`) around the demo
 * machine's DOME-sized presentation (RS256 x5c credential, ES256 VP; ≈ 17 KB form body).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJws } from '@dome-verifier/core';
import { loadP256PrivateKey, createVpJwt, type LoadedP256Key } from '@dome-verifier/client';

export interface M2mBodies {
  readonly clientId: string;
  /** A new form body, a new assertion each call. */
  body(): string;
}

export interface M2mMaterial {
  /** The demo machine's did:key (client id, assertion `kid`, VP holder). */
  readonly clientId: string;
  readonly key: LoadedP256Key;
  /** The machine's LEARCredentialMachine JWT (RS256, x5c). */
  readonly credential: string;
  /** Its VP JWT (ES256, 1 h) in standard base64, as the assertion's `vp_token` claim carries it. */
  readonly vpToken: string;
  /** PEM of the demo trust anchor (root CA). */
  readonly trustAnchorsPem: string;
}

/** The demo machine's key, credential and presentation, from the bench server's demo folder. */
export async function m2mMaterial(dataDir: string): Promise<M2mMaterial> {
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo', 'demo.json'), 'utf8')) as { machine: { did: string; keyPath: string; credentialPath: string }; paths: { trustAnchors: string } };
  const key = loadP256PrivateKey(readFileSync(demo.machine.keyPath, 'utf8'));
  const credential = readFileSync(demo.machine.credentialPath, 'utf8').trim();
  const vpJwt = await createVpJwt({ credentials: [credential], holderKey: key.privateKey, holderDid: key.did, lifetimeSeconds: 3600 });
  return { clientId: demo.machine.did, key, credential, vpToken: Buffer.from(vpJwt).toString('base64'), trustAnchorsPem: readFileSync(demo.paths.trustAnchors, 'utf8') };
}

export async function m2mBodies(issuer: string, dataDir: string): Promise<M2mBodies> {
  const { clientId, key, vpToken } = await m2mMaterial(dataDir);
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
