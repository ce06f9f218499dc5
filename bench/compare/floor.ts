/**
 * The crypto floor of one M2M token request (performance-anchors.md §7, §10): what any verifier
 * of the same request must at least compute, with raw `node:crypto` (sync, KeyObjects imported
 * once, `dsaEncoding: 'ieee-p1363'`), one operation at a time, on the inputs of the run (the very
 * assertion, presentation and credential the verifier is sent, the demo trust anchor).
 *
 * - raw, credential cached: ES256 verify (client assertion) + ES256 verify (VP) + ES256 sign (AT).
 *   The credential's x5c chain and RS256 signature are a cached verdict, as our verifier caches
 *   them for a credential presented again.
 * - raw, no credential cache: the same + the x5c chain (DER → X509Certificate for each entry,
 *   issuer link and signature up to the trust anchor, leaf public key) + RS256 verify (VC).
 * - parse-inclusive (both variants): the same crypto + splitting, base64url-decoding and
 *   JSON-parsing the JWTs (assertion; its standard-base64 `vp_token` → VP JWT; the VC JWT when not
 *   cached, or a Map lookup of the credential when cached) + building the access token
 *   (JSON.stringify of our token's claims, `vc` included, base64url, signature encoding).
 * - the peer's job, raw: ES256 verify (assertion) + ES256 sign (AT) — what node-oidc-provider
 *   computes per request at least; the bench sizes the peer's body pools by it.
 * - the FIWARE `vp_token` grant (when the input has `vpGrant`): no client assertion; ES256 verify
 *   (the bound VP JWT) + RS256 verify (the credential, with the leaf key of its x5c chain: the
 *   chain is a cached verdict, as our x5c verifier caches it, but the FIWARE pipeline verifies the
 *   credential's signature on every request) + ES256 sign (AT); without the chain cache also the
 *   x5c chain; parse-inclusive: splitting, base64url-decoding and JSON-parsing the VP and the VC
 *   JWTs + building the token (JSON.stringify of our FIWARE token's claims, `verifiableCredential`
 *   and `vc`, base64url, signature encoding).
 *
 * Run pinned to the servers' core: `taskset -c 0 node --import tsx bench/compare/floor.ts <input.json> <ms>`;
 * prints `{ variant: { perSec, cpuUs } }` as JSON. On a busy machine the wall-clock rate drops while
 * the CPU time per operation stays close to its idle value: the comparisons use the CPU time.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface FloorInput {
  /** One client assertion exactly as the verifier receives it. */
  readonly assertion: string;
  /** Public JWK of the assertion's and the VP's key (the machine's did:key). */
  readonly clientJwk: Record<string, unknown>;
  /** PEM of the trust anchor the credential's x5c chain ends in. */
  readonly trustAnchorsPem: string;
  /** The payload of the access token our verifier issued for that request (its size, its `vc`). */
  readonly tokenClaims: Record<string, unknown>;
  /** The FIWARE `vp_token` grant: one VP JWT exactly as sent (same holder key and credential) and the claims of the token issued for it. */
  readonly vpGrant?: { readonly vpJwt: string; readonly tokenClaims: Record<string, unknown> };
}

/** One floor variant: wall-clock rate, and CPU time per operation (robust to a busy machine). */
export interface FloorFigure {
  /** Operations per second of wall-clock time. */
  readonly perSec: number;
  /** CPU time (user + system of this process) per operation, µs. */
  readonly cpuUs: number;
}

export interface FloorResult {
  readonly rawCached: FloorFigure;
  readonly rawUncached: FloorFigure;
  readonly parseCached: FloorFigure;
  readonly parseUncached: FloorFigure;
  /** The peer's job, raw: ES256 verify (client assertion) + ES256 sign (AT). */
  readonly peerRaw: FloorFigure;
  /** FIWARE `vp_token` grant, raw, x5c chain cached: ES256 verify (VP) + RS256 verify (VC) + ES256 sign (AT). */
  readonly vpRaw?: FloorFigure;
  /** The same + the x5c chain. */
  readonly vpRawUncached?: FloorFigure;
  /** Parse-inclusive, x5c chain cached. */
  readonly vpParse?: FloorFigure;
}

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

function decode(jwt: string): Jwt {
  const a = jwt.indexOf('.');
  const b = jwt.lastIndexOf('.');
  return {
    header: JSON.parse(Buffer.from(jwt.slice(0, a), 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(jwt.slice(a + 1, b), 'base64url').toString()) as Record<string, unknown>,
    signingInput: Buffer.from(jwt.slice(0, b)),
    signature: Buffer.from(jwt.slice(b + 1), 'base64url'),
  };
}

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`floor: ${what} does not verify`);
}

/** x5c (leaf first) up to the anchor: parse, issuer link, signature; returns the leaf's key. */
function chainKey(x5c: string[], anchor: X509Certificate): KeyObject {
  const certs = x5c.map((s) => new X509Certificate(Buffer.from(s, 'base64')));
  for (let i = 0; i < certs.length; i++) {
    const issuer = certs[i + 1] ?? anchor;
    must(certs[i]!.checkIssued(issuer) && certs[i]!.verify(issuer.publicKey), `x5c[${i}]`);
  }
  return certs[0]!.publicKey;
}

const vcOf = (vp: Jwt): string => ((vp.payload.vp as { verifiableCredential: string[] }).verifiableCredential)[0]!;
const vpOf = (assertion: Jwt): string => Buffer.from(assertion.payload.vp_token as string, 'base64').toString();

export function measureFloor(input: FloorInput, ms: number): FloorResult {
  const clientKey = createPublicKey({ key: input.clientJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const anchor = new X509Certificate(input.trustAnchorsPem);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const atKey = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const atHeader = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })).toString('base64url');
  const es = { dsaEncoding: 'ieee-p1363' as const };

  // Pre-decoded inputs of the raw variants (their parsing is what the parse-inclusive ones add).
  const assertion = decode(input.assertion);
  const vpJwt = vpOf(assertion);
  const vp = decode(vpJwt);
  const vcJwt = vcOf(vp);
  const vc = decode(vcJwt);
  const x5c = vc.header.x5c as string[];
  if (vc.header.alg !== 'RS256' || !Array.isArray(x5c)) throw new Error(`floor: the credential is ${String(vc.header.alg)} without x5c, expected RS256 + x5c`);
  const atSigningInput = Buffer.from(`${atHeader}.${Buffer.from(JSON.stringify(input.tokenClaims)).toString('base64url')}`);
  const cache = new Map<string, Record<string, unknown>>([[vcJwt, input.tokenClaims.vc as Record<string, unknown>]]);

  const raw = (withCredential: boolean) => () => {
    must(verify('sha256', assertion.signingInput, { key: clientKey, ...es }, assertion.signature), 'assertion');
    must(verify('sha256', vp.signingInput, { key: clientKey, ...es }, vp.signature), 'VP');
    if (withCredential) must(verify('sha256', vc.signingInput, chainKey(x5c, anchor), vc.signature), 'VC');
    sign('sha256', atSigningInput, { key: atKey, ...es });
  };
  const parsed = (withCredential: boolean) => () => {
    const a = decode(input.assertion);
    must(verify('sha256', a.signingInput, { key: clientKey, ...es }, a.signature), 'assertion');
    const p = decode(vpOf(a));
    must(verify('sha256', p.signingInput, { key: clientKey, ...es }, p.signature), 'VP');
    const credential = vcOf(p);
    let vcClaim: Record<string, unknown>;
    if (withCredential) {
      const c = decode(credential);
      must(verify('sha256', c.signingInput, chainKey(c.header.x5c as string[], anchor), c.signature), 'VC');
      vcClaim = c.payload.vc as Record<string, unknown>;
    } else {
      vcClaim = cache.get(credential)!;
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...input.tokenClaims, iat: now, exp: now + 3600, vc: vcClaim };
    const signingInput = `${atHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), { key: atKey, ...es }).toString('base64url')}`;
  };

  const rate = (op: () => unknown): FloorFigure => {
    for (let i = 0; i < 200; i++) op();
    let n = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 20; i++) op();
      n += 20;
      t = performance.now();
    }
    const cpu = process.cpuUsage(cpu0);
    return { perSec: Math.round((n * 1000) / (t - t0)), cpuUs: Math.round(((cpu.user + cpu.system) / n) * 10) / 10 };
  };
  const peerJob = () => {
    must(verify('sha256', assertion.signingInput, { key: clientKey, ...es }, assertion.signature), 'assertion');
    sign('sha256', atSigningInput, { key: atKey, ...es });
  };
  const result: FloorResult = { rawCached: rate(raw(false)), rawUncached: rate(raw(true)), parseCached: rate(parsed(false)), parseUncached: rate(parsed(true)), peerRaw: rate(peerJob) };
  if (!input.vpGrant) return result;

  const grant = input.vpGrant;
  const gvp = decode(grant.vpJwt);
  const gvcJwt = vcOf(gvp);
  const gvc = decode(gvcJwt);
  const leafKey = chainKey(gvc.header.x5c as string[], anchor);
  const grantClaims = Buffer.from(`${atHeader}.${Buffer.from(JSON.stringify(grant.tokenClaims)).toString('base64url')}`);
  const vpRaw = (withChain: boolean) => () => {
    must(verify('sha256', gvp.signingInput, { key: clientKey, ...es }, gvp.signature), 'VP (vp_token grant)');
    must(verify('sha256', gvc.signingInput, withChain ? chainKey(gvc.header.x5c as string[], anchor) : leafKey, gvc.signature), 'VC (vp_token grant)');
    sign('sha256', grantClaims, { key: atKey, ...es });
  };
  const vpParsed = () => {
    const p = decode(grant.vpJwt);
    must(verify('sha256', p.signingInput, { key: clientKey, ...es }, p.signature), 'VP (vp_token grant)');
    const c = decode(vcOf(p));
    must(verify('sha256', c.signingInput, leafKey, c.signature), 'VC (vp_token grant)');
    const credential = c.payload.vc as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...grant.tokenClaims, iat: now, exp: now + 3600, verifiableCredential: credential, vc: credential };
    const signingInput = `${atHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), { key: atKey, ...es }).toString('base64url')}`;
  };
  return { ...result, vpRaw: rate(vpRaw(false)), vpRawUncached: rate(vpRaw(true)), vpParse: rate(vpParsed) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ms] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(measureFloor(JSON.parse(readFileSync(file!, 'utf8')) as FloorInput, Number(ms))));
}
