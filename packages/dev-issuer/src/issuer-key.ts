/** The signing identity of a dev-issued JWT: an x5c eIDAS seal of a did:elsi issuer, or a did:key. */
import type { KeyObject } from 'node:crypto';
import type { JwsHeader } from '@dome-verifier/core/jws';
import { jwkToDidKey } from '@dome-verifier/did-key';
import { x5cOf, type DevCertificate } from './ca.ts';

export interface IssuerKeyOptions {
  seal?: DevCertificate;
  chain?: DevCertificate[];
  organizationIdentifier?: string;
  didKeyIssuer?: KeyObject;
  alg?: 'ES256' | 'RS256' | 'PS256';
}

export function issuerSigning(o: IssuerKeyOptions, typ: string): { header: JwsHeader; iss: string; key: KeyObject } {
  if (o.didKeyIssuer) {
    const iss = jwkToDidKey(o.didKeyIssuer.export({ format: 'jwk' }));
    return { header: { alg: 'ES256', typ, kid: iss }, iss, key: o.didKeyIssuer };
  }
  if (!o.seal || !o.organizationIdentifier) throw new TypeError('seal and organizationIdentifier are required for an x5c issuer');
  const alg = o.alg ?? (o.seal.keyAlg === 'ES256' ? 'ES256' : 'RS256');
  return { header: { alg, typ, x5c: x5cOf(o.seal, ...(o.chain ?? [])) }, iss: `did:elsi:${o.organizationIdentifier}`, key: o.seal.privateKey };
}
