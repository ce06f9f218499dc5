/**
 * Loads the verifier configuration once at startup: files (see file-source.ts), then env
 * (env-binding.ts) over them, `${…}` placeholders, schema parse, cross-key checks, path
 * resolution, deep freeze. Every failure is a `ConfigError` naming the key; values never appear
 * in messages or warnings.
 */
import { resolve as resolvePath } from 'node:path';
import { isIP } from 'node:net';
import { keyObjectToDidKey, p256PrivateKeyFromScalar } from '@dome-verifier/did-key';
import { ConfigError } from './config-error.ts';
import { bindEnv } from './env-binding.ts';
import { loadFileSources, parsePropertyName, relaxedPath } from './file-source.ts';
import { resolvePlaceholders, UnresolvedPlaceholderError } from './placeholders.ts';
import {
  deepFreeze,
  fillStructure,
  formatKey,
  getRaw,
  leafPaths,
  mergeRaw,
  setRaw,
  type RawObject,
  type Segment,
} from './raw-tree.ts';
import {
  CONFIG_TREE,
  isHttpLocation,
  relaxedName,
  stripFileScheme,
  verifierConfigSchema,
  type ConfigNode,
  type ParsedConfig,
  type TrustFrameworkConfig,
  type VerifierConfig,
} from './schema.ts';

export interface LoadConfigOptions {
  /** Configuration file (`--config`); wins over `VERIFIER_CONFIG` and `SPRING_CONFIG_ADDITIONAL_LOCATION`. */
  file?: string;
  /** Usually `process.env`. */
  env: Record<string, string | undefined>;
  /** Base of relative paths; default `process.cwd()`. */
  cwd?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Canonical schema path of a relaxed property name (`verifier.backend.identity.private-key`), or undefined. */
function schemaPath(name: string): Segment[] | undefined {
  let node: ConfigNode = CONFIG_TREE;
  const out: Segment[] = [];
  for (const seg of parsePropertyName(name)) {
    if (node.kind === 'object' && typeof seg === 'string') {
      const child = node.children.get(relaxedName(seg));
      if (child === undefined) return undefined;
      out.push(child.name);
      node = child.node;
    } else if (node.kind === 'array' && typeof seg === 'number') {
      out.push(seg);
      node = node.element;
    } else return undefined;
  }
  return out;
}

/** Resolves `${…}` in every leaf of the merged tree (env, then properties, as Spring does). */
function resolveAllPlaceholders(merged: RawObject, env: Env, properties: ReadonlyMap<string, string>): void {
  const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
  const lookup = (name: string): string | undefined => {
    const direct = nonEmpty(env[name]);
    if (direct !== undefined) return direct;
    const upper = name.replace(/[.-]/g, '_').toUpperCase();
    const envValue = nonEmpty(env[upper]) ?? nonEmpty(env[name.replace(/-/g, '').replace(/\./g, '_').toUpperCase()]);
    if (envValue !== undefined) return envValue;
    const path = schemaPath(name);
    const known = path && path.length > 0 ? getRaw(merged, path) : undefined;
    if (typeof known === 'string') return known;
    return properties.get(relaxedPath(parsePropertyName(name)));
  };
  for (const path of leafPaths(CONFIG_TREE, merged)) {
    const value = getRaw(merged, path);
    if (typeof value !== 'string' || !value.includes('${')) continue;
    try {
      setRaw(merged, path, resolvePlaceholders(value, lookup));
    } catch (e) {
      if (e instanceof UnresolvedPlaceholderError) throw new ConfigError(formatKey(path), e.message);
      throw e;
    }
  }
}

function parse(raw: unknown): ParsedConfig {
  const result = verifierConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    key: formatKey(issue.path.filter((s): s is Segment => typeof s !== 'symbol')) || '(root)',
    reason: issue.message,
  }));
  const [first, ...more] = problems;
  throw new ConfigError(first!.key, first!.reason, more);
}

/** did:key of a 64-hex-digit P-256 private scalar. */
export function didKeyFromPrivateKeyHex(hex: string): string {
  return keyObjectToDidKey(p256PrivateKeyFromScalar(Buffer.from(hex, 'hex')));
}

/** didKey must match privateKey; a missing didKey is derived; didKey alone is an error. */
const TRUST_PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `server.*` cross-checks: the header timeout within the request timeout, a well-formed trustProxy. */
/** `configured`: a trust framework is configured (else the development verifier, on loopback by default). */
function checkServer(server: ParsedConfig['server'], configured: boolean): VerifierConfig['server'] {
  if (server.headersTimeoutMs > server.requestTimeoutMs) {
    throw new ConfigError('server.headersTimeoutMs', 'must not exceed server.requestTimeoutMs');
  }
  const trust = server.trustProxy.trim();
  if (trust !== 'true' && trust !== 'false') {
    for (const entry of trust.split(',').map((t) => t.trim())) {
      const [address, bits, ...rest] = entry.split('/');
      const family = isIP(address ?? '');
      const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
      if (!(TRUST_PROXY_PRESETS.has(entry) || (family !== 0 && bitsOk && rest.length === 0))) {
        throw new ConfigError('server.trustProxy', 'must be true, false or a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal and uniquelocal');
      }
    }
  }
  const { port, host } = server.management;
  return { ...server, host: server.host ?? (configured ? '0.0.0.0' : '127.0.0.1'), trustProxy: trust, management: { ...(port !== undefined && { port }), ...(host !== undefined && { host }) } };
}

function checkIdentity(identity: ParsedConfig['verifier']['backend']['identity'], cwd: string): VerifierConfig['verifier']['backend']['identity'] {
  const { privateKey, didKey, verifiableCredential, certificate } = identity;
  const extra = {
    ...(verifiableCredential !== undefined && { verifiableCredential }),
    // PEM text as given; a file path made absolute (read at start-up, keys/identity-certificate.ts).
    ...(certificate !== undefined && { certificate: certificate.trimStart().startsWith('-----BEGIN') ? certificate : resolveLocal(certificate, cwd) }),
  };
  if (privateKey === undefined) {
    for (const [key, value] of [['didKey', didKey], ['certificate', certificate]] as const) {
      if (value !== undefined) throw new ConfigError('verifier.backend.identity.privateKey', `is required when verifier.backend.identity.${key} is set`);
    }
    return extra;
  }
  const derived = didKeyFromPrivateKeyHex(privateKey);
  if (didKey !== undefined && didKey !== derived) {
    throw new ConfigError('verifier.backend.identity.didKey', 'does not match privateKey');
  }
  return { privateKey, didKey: derived, ...extra };
}

/** Absolute form of a local path or `file:` URL; a trailing `/` is kept (the TIL base is concatenated). */
function resolveLocal(value: string, cwd: string): string {
  const local = stripFileScheme(value);
  const resolved = resolvePath(cwd, local);
  return /[\\/]$/.test(local) && !resolved.endsWith('/') ? `${resolved}/` : resolved;
}

function resolveLocation(value: string, cwd: string): string {
  return isHttpLocation(value) ? value : resolveLocal(value, cwd);
}

/** Trust frameworks with local paths made absolute; warns when a TIL URL lacks its trailing `/`. */
function checkTrustFrameworks(
  list: ParsedConfig['verifier']['backend']['trustFrameworks'],
  cwd: string,
  warnings: string[],
): TrustFrameworkConfig[] {
  return list.map((tf, i) => {
    if (isHttpLocation(tf.trustedIssuersListUrl) && !tf.trustedIssuersListUrl.endsWith('/')) {
      warnings.push(
        `verifier.backend.trustFrameworks[${i}].trustedIssuersListUrl does not end with '/': the issuer DID is appended to it as is (IN2 behaviour)`,
      );
    }
    return {
      name: tf.name,
      trustedIssuersListUrl: resolveLocation(tf.trustedIssuersListUrl, cwd),
      trustedServicesListUrl: resolveLocation(tf.trustedServicesListUrl, cwd),
      ...(tf.revokedCredentialListUrl !== undefined && { revokedCredentialListUrl: resolveLocation(tf.revokedCredentialListUrl, cwd) }),
      legacyReadEnabled: tf.legacyReadEnabled,
      bumpedReadEnabled: tf.bumpedReadEnabled,
      ...(tf.dcqlProfiles !== undefined && { dcqlProfiles: tf.dcqlProfiles }),
    };
  });
}

/** True for loopback interfaces: `localhost`, `::1`, 127.0.0.0/8. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** Minimum length of `verifier.fiware.configServer.bearerToken` (guessing must be hopeless). */
export const CONFIG_SERVER_TOKEN_MIN_LENGTH = 32;

/**
 * `verifier.fiware.configServer`: the API is never open to anyone — off loopback it needs a
 * bearer token or mTLS (all three of tlsCert, tlsKey, clientCa); PEM paths made absolute.
 */
function checkConfigServer(c: ParsedConfig['verifier']['fiware']['configServer'], cwd: string): VerifierConfig['verifier']['fiware']['configServer'] {
  const key = (k: string) => `verifier.fiware.configServer.${k}`;
  const pem = (v: string | undefined) => (v === undefined ? undefined : v.trimStart().startsWith('-----BEGIN') ? v : resolveLocal(v, cwd));
  const tls = { tlsCert: pem(c.tlsCert), tlsKey: pem(c.tlsKey), clientCa: pem(c.clientCa) };
  const set = Object.entries(tls).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (set.length > 0 && set.length < 3) {
    const missing = Object.keys(tls).find((k) => !set.includes(k))!;
    throw new ConfigError(key(missing), 'is required when any of tlsCert, tlsKey and clientCa is set (mTLS needs all three)');
  }
  if (c.bearerToken !== undefined && c.bearerToken.length < CONFIG_SERVER_TOKEN_MIN_LENGTH) {
    throw new ConfigError(key('bearerToken'), `must be at least ${CONFIG_SERVER_TOKEN_MIN_LENGTH} characters`);
  }
  if (c.enabled && !isLoopbackHost(c.host) && c.bearerToken === undefined && set.length === 0) {
    throw new ConfigError(key('bearerToken'), 'is required when verifier.fiware.configServer.host is not a loopback address (or configure mTLS: tlsCert, tlsKey and clientCa): the configuration API is never open to anyone');
  }
  return {
    enabled: c.enabled,
    port: c.port,
    host: c.host,
    cacheSeconds: c.cacheSeconds,
    ...(c.bearerToken !== undefined && { bearerToken: c.bearerToken }),
    ...(set.length === 3 && (tls as Required<typeof tls>)),
  };
}

/**
 * Reads, validates and freezes the configuration. File: `o.file`, else env `VERIFIER_CONFIG`,
 * else env `SPRING_CONFIG_ADDITIONAL_LOCATION`, else none (all defaults). Env vars override the
 * file by Spring relaxed binding. Throws `ConfigError`.
 */
export function loadConfig(o: LoadConfigOptions): VerifierConfig {
  const cwd = o.cwd ?? process.cwd();
  const fileSources = loadFileSources(o.file, o.env, cwd);
  const envSource = bindEnv(o.env);
  const warnings = [...fileSources.warnings, ...envSource.warnings];

  let merged: unknown = {};
  for (const tree of fileSources.trees) merged = mergeRaw(CONFIG_TREE, merged, tree);
  merged = mergeRaw(CONFIG_TREE, merged, envSource.tree);
  resolveAllPlaceholders(merged as RawObject, o.env, fileSources.properties);

  const parsed = parse(fillStructure(CONFIG_TREE, merged));
  const { frontend, fiware } = parsed.verifier;
  const { url, identity, trustFrameworks, x509, dataDir, ...backend } = parsed.verifier.backend;

  const config: VerifierConfig = {
    server: checkServer(parsed.server, trustFrameworks.length > 0),
    logLevel: parsed.logLevel,
    verifier: {
      backend: {
        url: url ?? `http://localhost:${parsed.server.port}`,
        identity: checkIdentity(identity, cwd),
        trustFrameworks: checkTrustFrameworks(trustFrameworks, cwd, warnings),
        x509: x509.trustAnchors === undefined ? {} : { trustAnchors: resolveLocal(x509.trustAnchors, cwd) },
        ...backend,
        dataDir: resolvePath(cwd, dataDir),
      },
      frontend,
      fiware: { ...fiware, configServer: checkConfigServer(fiware.configServer, cwd) },
    },
    warnings: [...new Set(warnings)],
    sources: {
      ...(fileSources.files.length > 0 && { file: fileSources.files }),
      env: envSource.keys,
    },
  };
  return deepFreeze(config);
}
