/**
 * did:jwk driver (did:jwk method specification): the method-specific id is the base64url
 * (unpadded) UTF-8 JSON of a public JWK; the document has the one verification method `#0`.
 * A private JWK (`d`, `p`, `k`), a JWK with `use: "enc"`, or anything that is not a public EC,
 * OKP or RSA key is refused. At most 4 KiB of JWK JSON.
 */
import { importPublicJwk } from '../jose/keys.ts';
import { isRecord, parseJsonObject } from '../shared/json.ts';
import { DidResolutionError, type DidMethodDriver } from './types.ts';

const MAX_JWK_CHARS = 5_462; // base64url of 4 KiB
const B64URL_RE = /^[A-Za-z0-9_-]+$/;

export const didJwkDriver: DidMethodDriver = async (parsed) => {
  const invalid = (msg: string, cause?: unknown) => new DidResolutionError('invalidDid', msg, { cause });
  if (parsed.id.length > MAX_JWK_CHARS || !B64URL_RE.test(parsed.id)) throw invalid('the did:jwk id is not base64url');
  let jwk: Record<string, unknown>;
  try {
    jwk = parseJsonObject(Buffer.from(parsed.id, 'base64url').toString('utf8'), { maxDepth: 4, rejectDuplicateKeys: true });
  } catch (e) {
    throw invalid('the did:jwk id is not the base64url of a JSON object', e);
  }
  if (jwk.use === 'enc') throw invalid('the did:jwk key is an encryption key (use: enc)');
  try {
    importPublicJwk(jwk);
  } catch (e) {
    throw invalid('the did:jwk id is not a public EC, OKP or RSA JWK', e);
  }
  if (!isRecord(jwk)) throw invalid('the did:jwk id is not a JWK');
  return { id: parsed.did, verificationMethod: [{ id: `${parsed.did}#0`, type: 'JsonWebKey2020', controller: parsed.did, publicKeyJwk: jwk }] };
};
