/**
 * The verifier's identity certificate (`verifier.backend.identity.certificate`, the IN2 V3
 * deployment shape): a PEM chain, leaf first, whose leaf key is the identity key. With it the
 * verifier names itself to wallets `x509_hash:<base64url SHA-256 of the leaf DER>` (OpenID4VP 1.0
 * §5.9.3) and the request object carries the chain in `x5c` (standard base64 DER, RFC 7515
 * §4.1.6) with `kid` = the RFC 7638 thumbprint of the key, as IN2 V3 signs it.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jwkThumbprint } from '../jose/keys.ts';
import type { RequestObjectIdentity } from '../oauth/oid4vp/create-request-object.ts';
import type { Identity } from './identity.ts';

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const KEY = 'verifier.backend.identity.certificate';

/** `x509_hash:` client identifier of a leaf certificate (its DER). */
export function x509HashClientId(leafDer: Uint8Array): string {
  return `x509_hash:${createHash('sha256').update(leafDer).digest('base64url')}`;
}

/**
 * The request-object identity for `value` (PEM text, or the path of a PEM file resolved against
 * `cwd`). Throws, naming the key, when it holds no certificate, a certificate does not parse, a
 * certificate is not issued and signed by the next one, or the leaf key is not `identity`'s.
 */
export function identityFromCertificate(value: string, identity: Identity, cwd = process.cwd()): RequestObjectIdentity {
  const text = value.trimStart().startsWith('-----BEGIN') ? value : readFileSync(resolve(cwd, value), 'utf8');
  const blocks = [...text.matchAll(PEM_CERT)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  if (blocks.length === 0) throw new Error(`${KEY}: no "-----BEGIN CERTIFICATE-----" block found`);
  let chain: X509Certificate[];
  try {
    chain = blocks.map((der) => new X509Certificate(der));
  } catch (e) {
    throw new Error(`${KEY}: a certificate does not parse (${(e as Error).message})`);
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) {
      throw new Error(`${KEY}: certificate ${i + 1} is not issued by certificate ${i + 2} (give the chain leaf first)`);
    }
  }
  const leafKey = chain[0]!.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const { kty, crv, x, y } = identity.publicJwk;
  if (leafKey.kty !== kty || leafKey.crv !== crv || leafKey.x !== x || leafKey.y !== y) {
    throw new Error(`${KEY}: the leaf certificate's public key is not the identity key (verifier.backend.identity.privateKey, ${identity.did})`);
  }
  return {
    clientId: x509HashClientId(chain[0]!.raw),
    kid: jwkThumbprint({ kty, crv, x, y }),
    x5c: chain.map((c) => c.raw.toString('base64')),
    // The EUDIStack wallet PWA checks the hash against x5c[0] only when this claim is present.
    clientIdScheme: 'x509_hash',
  };
}
