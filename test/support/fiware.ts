/**
 * FIWARE client emulators, written from the wire spec (shared spec fiware-vcverifier.md §8),
 * not from the verifier's code:
 * - `dscVpToken`: the Data Space Connector helper script `get_access_token_oid4vp.sh` (§8.1): a
 *   VP JSON with the holder, an ES256 JWT with header `{"alg":"ES256", "typ":"JWT", "kid":<holder>}`
 *   and payload `{"iss", "sub", "vp"}` — no aud, nonce, exp or iat — signed with OpenSSL (DER)
 *   and converted to raw R‖S as the script does;
 * - `fiwareUserCredential`: a FIWARE-style JWT VC (`UserCredential` with `credentialSubject.roles`,
 *   as Keycloak issues it in the DSC) from a did:key issuer;
 * - `opaReadsRoles`: how APISIX + the ODRL-PAP Rego read the token (§8.5).
 */
import { sign as cryptoSign, verify as cryptoVerify, createPublicKey, type KeyObject } from 'node:crypto';
import { generateP256 } from '@dome-verifier/dev-issuer';
import { signJws } from '@dome-verifier/core';

export interface DidKeyPair {
  did: string;
  privateKey: KeyObject;
}

export const newDidKey = (): DidKeyPair => {
  const k = generateP256();
  return { did: k.did, privateKey: k.privateKey };
};

const b64u = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** DER ECDSA signature → raw R‖S of 32 bytes each (the script's `openssl asn1parse` step). */
export function derToRaw(der: Buffer): Buffer {
  let i = 2;
  if (der[1]! & 0x80) i = 2 + (der[1]! & 0x7f);
  const read = (): Buffer => {
    if (der[i] !== 0x02) throw new Error('not a DER integer');
    const len = der[i + 1]!;
    const v = der.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  return Buffer.concat([read(), read()]);
}

/** The DSC script's VP JWT (compact), exactly as §8.1 builds it. */
export function dscVpToken(holder: DidKeyPair, credentialJwt: string): string {
  const vp = `{"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiablePresentation"], "verifiableCredential": ["${credentialJwt}"], "holder": "${holder.did}"}`;
  const header = `{"alg":"ES256", "typ":"JWT", "kid":"${holder.did}"}`;
  const payload = `{"iss": "${holder.did}", "sub": "${holder.did}", "vp": ${vp}}`;
  const input = `${b64u(header)}.${b64u(payload)}`;
  const der = cryptoSign('sha256', Buffer.from(input), { key: holder.privateKey, dsaEncoding: 'der' });
  const raw = derToRaw(der);
  if (!cryptoVerify('sha256', Buffer.from(input), { key: createPublicKey(holder.privateKey), dsaEncoding: 'ieee-p1363' }, raw)) throw new Error('R‖S conversion failed');
  return `${input}.${raw.toString('base64url')}`;
}

/** The manual walkthrough's variant (DSC LOCAL.MD): the compact JWT once more in base64url without padding. */
export const base64urlNoPad = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

export interface UserCredentialOptions {
  issuer: DidKeyPair;
  holder?: string;
  type?: string[];
  roles?: unknown;
  nowMs: number;
  /** Seconds from now; negative for an expired credential. */
  expiresIn?: number;
  subject?: Record<string, unknown>;
  credentialStatus?: unknown;
  cnf?: unknown;
}

/** A FIWARE-style JWT VC (VCDM 1.1 `vc` claim), signed ES256 by a did:key issuer. */
export function fiwareUserCredential(o: UserCredentialOptions): string {
  const iat = Math.floor(o.nowMs / 1000);
  const vc: Record<string, unknown> = {
    '@context': ['https://www.w3.org/2018/credentials/v1'],
    type: o.type ?? ['UserCredential'],
    issuer: o.issuer.did,
    issuanceDate: new Date(o.nowMs - 60_000).toISOString(),
    credentialSubject: {
      ...(o.holder ? { id: o.holder } : {}),
      firstName: 'Test',
      lastName: 'User',
      email: 'test@consumer.example',
      roles: o.roles ?? [{ names: ['OPERATOR'], target: 'did:web:provider.example' }],
      ...o.subject,
    },
    ...(o.credentialStatus ? { credentialStatus: o.credentialStatus } : {}),
  };
  const payload: Record<string, unknown> = { iss: o.issuer.did, ...(o.holder ? { sub: o.holder } : {}), jti: `urn:uuid:${crypto.randomUUID()}`, nbf: iat - 60, iat: iat - 60, exp: iat + (o.expiresIn ?? 3600), vc, ...(o.cnf ? { cnf: o.cnf } : {}) };
  return signJws({ alg: 'ES256', typ: 'JWT', kid: `${o.issuer.did}#${o.issuer.did.slice('did:key:'.length)}` }, payload, o.issuer.privateKey);
}

/** A bound VP JWT (our strict default): aud, nonce, exp, iat. */
export function boundVpToken(holder: DidKeyPair, credentials: string[], o: { aud: string | string[]; nonce?: string; nowMs: number; expiresIn?: number; extra?: Record<string, unknown> }): string {
  const iat = Math.floor(o.nowMs / 1000);
  return signJws(
    { alg: 'ES256', typ: 'JWT', kid: holder.did },
    { iss: holder.did, sub: holder.did, aud: o.aud, nonce: o.nonce ?? crypto.randomUUID(), iat, exp: iat + (o.expiresIn ?? 120), vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: credentials, holder: holder.did }, ...o.extra },
    holder.privateKey,
  );
}

/**
 * The ODRL-PAP's Rego helpers as APISIX hands them the token (§4.5, §8.5): the credential is
 * `verifiableCredential` (PAP-W), falling back to `vc` (PAP-S); the policy reads `.issuer`,
 * `.type` and `.credentialSubject.roles[{names, target}]`.
 */
export function opaReadsRoles(claims: Record<string, unknown>): { issuer: unknown; type: unknown; roles: Array<{ names: string[]; target: string }> } {
  const vc = (claims.verifiableCredential ?? claims.vc) as Record<string, unknown> | undefined;
  if (!vc) throw new Error('the token carries no verifiableCredential');
  const subject = vc.credentialSubject as Record<string, unknown>;
  return { issuer: vc.issuer, type: vc.type, roles: subject.roles as Array<{ names: string[]; target: string }> };
}
