/**
 * Configuration schema of the DOME Verifier: one zod schema mirroring the YAML tree of the IN2
 * verifier (`server.*`, `verifier.backend.*`, `verifier.frontend.*`, dome-verifier-wire.md §8.1)
 * plus our own keys, and one documentation entry per leaf key. The docs drive
 * `docs/configuration.md` (render-config-doc.ts) and the env-var names; the tree of object,
 * list and leaf nodes drives Spring-style relaxed binding (env-binding.ts, file-source.ts).
 *
 * Leaf schemas take raw text (YAML is read with the failsafe schema and env vars are strings):
 * they trim, treat an empty value as absent, coerce booleans/integers, check and normalise.
 * Messages say what is wrong without repeating the value, which may be a secret.
 */
import { z } from 'zod';
import { isDidKey } from '@dome-verifier/did-key';
import { parseDcqlProfiles, type DcqlProfiles } from '../oauth/oid4vp/dcql.ts';
import { parseFiwareServices, type FiwareService } from '../fiware/service-config.ts';

/** Documentation of one leaf key; `key` and env-var names are derived from its position. */
export interface ConfigKeyDoc {
  /** One line: what the key does, why one would set it. */
  readonly description: string;
  /** Human-readable type, e.g. `integer 1–65535`. */
  readonly type: string;
  /** Human-readable default; absent means "none" (key optional or required). */
  readonly default?: string;
  /** Plain env vars that also set the key and win over the file and the relaxed env var. */
  readonly aliases?: readonly string[];
  /** The value is a secret (never logged; never echoed in errors — no value ever is). */
  readonly secret?: boolean;
  /** Set when the key must be present whenever its parent exists. */
  readonly required?: boolean;
}

/** zod registry holding the doc of every leaf schema (checked when the tree is built). */
export const configDocs = z.registry<ConfigKeyDoc>();

function documented<T extends z.ZodType>(schema: T, doc: ConfigKeyDoc): T {
  configDocs.add(schema, doc);
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Leaf builders

/** Trims strings; an empty string or a YAML null is "not set". */
function blank(v: unknown): unknown {
  if (v === null) return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  return v;
}

const expected = (what: string) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : `must be ${what}`),
});

/** Spring's StringToBooleanConverter vocabulary. */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true, on: true, yes: true, '1': true,
  false: false, off: false, no: false, '0': false,
};

function toBoolean(v: unknown): unknown {
  const b = blank(v);
  if (typeof b !== 'string') return b;
  const word = BOOLEAN_WORDS[b.toLowerCase()];
  return word === undefined ? b : word;
}

function toInteger(v: unknown): unknown {
  const b = blank(v);
  return typeof b === 'string' && /^[+-]?\d{1,15}$/.test(b) ? Number(b) : b;
}

function bool(defaultValue: boolean) {
  return z.preprocess(toBoolean, z.boolean(expected('a boolean (true or false)')).default(defaultValue));
}

function int(min: number, max: number, defaultValue: number) {
  const range = { error: `must be an integer between ${min} and ${max}` };
  return z.preprocess(
    toInteger,
    z.number(expected('an integer')).int(range).min(min, range).max(max, range).default(defaultValue),
  );
}

function text() {
  return z.preprocess(blank, z.string(expected('a string')));
}

function optionalText() {
  return z.preprocess(blank, z.string(expected('a string')).optional());
}

function textDefault(defaultValue: string) {
  return z.preprocess(blank, z.string(expected('a string')).default(defaultValue));
}

/** Case-insensitive choice among `values`, normalised to the listed spelling. */
function choice<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
  const canonical = (v: unknown): unknown => {
    const b = blank(v);
    if (typeof b !== 'string') return b;
    return values.find((x) => x.toLowerCase() === b.toLowerCase()) ?? b;
  };
  return z.preprocess(canonical, z.enum(values, { error: `must be one of ${values.join(', ')}` }).default(defaultValue));
}

/** Problem with an absolute http(s) URL, or undefined when it is fine. */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.hostname === '') return 'must be an absolute http(s) URL with a host';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return undefined;
}

function httpUrlString() {
  return z.string(expected('an http(s) URL')).superRefine((v, ctx) => {
    const problem = httpUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function httpUrl(defaultValue: string) {
  return z.preprocess(blank, httpUrlString().default(defaultValue));
}

export const WALLET_KINDS = ['wallet-api', 'pwa'] as const;
export type WalletKind = (typeof WALLET_KINDS)[number];

/** `*`, or a comma-separated list of origins (`scheme://host[:port]`), normalised to `*` or `a,b`. */
function walletOrigins() {
  return z.preprocess(
    blank,
    z
      .string(expected('`*` or a comma-separated list of origins'))
      .default('*')
      .transform((v, ctx) => {
        const items = v.split(',').map((x) => x.trim()).filter(Boolean);
        if (items.length === 1 && items[0] === '*') return '*';
        for (const item of items) {
          const problem = item === '*' ? 'must be `*` alone or a list of origins' : httpUrlProblem(item);
          if (problem || new URL(item).origin !== item.replace(/\/$/, '')) {
            ctx.addIssue({ code: 'custom', message: problem ?? 'must list origins (scheme://host[:port]) without path, query or fragment' });
            return z.NEVER;
          }
        }
        return items.map((i) => new URL(i).origin).join(',');
      }),
  );
}

/** JSON text of DCQL profiles (scope → credential queries), checked and normalised by dcql.ts. */
function optionalDcqlProfiles() {
  return z.preprocess(
    blank,
    z
      .string(expected('JSON text'))
      .transform((v, ctx) => {
        let json: unknown;
        try {
          json = JSON.parse(v);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON text (an object of scope → credential queries)' });
          return z.NEVER;
        }
        const parsed = parseDcqlProfiles(json);
        if ('problem' in parsed) {
          ctx.addIssue({ code: 'custom', message: parsed.problem });
          return z.NEVER;
        }
        return parsed.profiles;
      })
      .optional(),
  );
}

/** `verifier.fiware.services`: checked and normalised by fiware/service-config.ts. */
function fiwareServices() {
  return z.preprocess(
    (v) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v),
    z
      .unknown()
      .transform((v, ctx): readonly FiwareService[] => {
        if (v === undefined) return [];
        const parsed = parseFiwareServices(v);
        if ('problems' in parsed) {
          for (const p of parsed.problems) ctx.addIssue({ code: 'custom', message: p.path === '' ? p.reason : `${p.path} ${p.reason}` });
          return z.NEVER;
        }
        return parsed.services;
      }),
  );
}

function optionalHttpUrl() {
  return z.preprocess(blank, httpUrlString().optional());
}

/** The issuer URL: http(s), no query or fragment, trailing `/` removed (tokens compare it exactly). */
function issuerUrl() {
  return z.preprocess(
    blank,
    z
      .string(expected('an http(s) URL'))
      .transform((v, ctx) => {
        const problem = httpUrlProblem(v) ?? (/[?#]/.test(v) ? 'must not have a query or fragment' : undefined);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
        return v.replace(/\/+$/, '');
      })
      .optional(),
  );
}

/** `file:` prefix of a location: `file:///x`, `file:/x` and `file:./x` (Spring's spelling). */
export function stripFileScheme(value: string): string {
  if (!/^file:/i.test(value)) return value;
  const rest = value.slice(5);
  if (rest.startsWith('//')) {
    // file://host/path is not a local path; file:///path is.
    const url = new URL(value);
    if (url.hostname !== '' && url.hostname !== 'localhost') throw new TypeError('remote file URL');
    return decodeURIComponent(url.pathname);
  }
  return rest;
}

/** An http(s) URL or a local file path (`file:` URLs accepted); paths are resolved later. */
export function isHttpLocation(value: string): boolean {
  return /^https?:/i.test(value);
}

function locationProblem(v: string): string | undefined {
  if (isHttpLocation(v)) return httpUrlProblem(v);
  if (/^file:/i.test(v)) {
    try {
      return stripFileScheme(v) === '' ? 'must name a file' : undefined;
    } catch {
      return 'must be a local file: URL';
    }
  }
  return /^[a-z][a-z0-9+.-]+:/i.test(v) ? 'must be an http(s) URL or a local file path' : undefined;
}

function locationString() {
  return z.string(expected('an http(s) URL or a file path')).superRefine((v, ctx) => {
    const problem = locationProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const location = () => z.preprocess(blank, locationString());

/** A local file path or `file:` URL (no http). */
function optionalLocalPath() {
  const s = z.string(expected('a file path')).superRefine((v, ctx) => {
    const problem = isHttpLocation(v) ? 'must be a local file path' : locationProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
  return z.preprocess(blank, s.optional());
}
const optionalLocation = () => z.preprocess(blank, locationString().optional());

/** Problem with a Redis URL (`redis://` or `rediss://` with a host), or undefined when it is fine. */
export function redisUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a redis:// or rediss:// URL';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'must be a redis:// or rediss:// URL';
  if (url.hostname === '') return 'must be a redis:// or rediss:// URL with a host';
  if (!/^\/?\d*$/.test(url.pathname)) return 'must name a database by number (redis://host:6379/0), if at all';
  return undefined;
}

/** A Redis URL; it may carry a password, so it is documented as a secret. */
function optionalRedisUrl() {
  const s = z.string(expected('a redis:// or rediss:// URL')).superRefine((v, ctx) => {
    const problem = redisUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
  return z.preprocess(blank, s.optional());
}

function color(defaultValue: string) {
  const message = 'must be a CSS hex colour #rgb or #rrggbb';
  return z.preprocess(
    blank,
    z.string(expected('a CSS hex colour')).regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, { error: message }).default(defaultValue),
  );
}

/** Order n of the P-256 group: private scalars are 1..n-1. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Hex P-256 private scalar, optional `0x`, normalised to 64 lowercase hex digits. */
function privateKeyHex() {
  return z.preprocess(
    blank,
    z
      .string(expected('a hex string'))
      .transform((v, ctx) => {
        const hex = v.replace(/^0x/i, '');
        if (!/^[0-9a-f]*$/i.test(hex) || hex === '') {
          ctx.addIssue({ code: 'custom', message: 'must be hexadecimal (optional 0x prefix)' });
          return z.NEVER;
        }
        if (hex.length !== 64) {
          ctx.addIssue({ code: 'custom', message: `must be exactly 32 bytes (64 hex digits), got ${hex.length} hex digits` });
          return z.NEVER;
        }
        const scalar = BigInt(`0x${hex}`);
        if (scalar === 0n || scalar >= P256_ORDER) {
          ctx.addIssue({ code: 'custom', message: 'is not a valid P-256 private key (scalar must be in 1..n-1)' });
          return z.NEVER;
        }
        return hex.toLowerCase();
      })
      .optional(),
  );
}

function didKey() {
  return z.preprocess(
    blank,
    z
      .string(expected('a did:key'))
      .refine((v) => isDidKey(v), { error: 'must be a P-256 did:key (did:key:zDn…)' })
      .optional(),
  );
}

/**
 * An object node added after the first release: when a caller's skeleton lacks it (the loader
 * always supplies it), it parses as all defaults. The tree builder looks through the wrapper.
 */
function optionalSection<T extends z.ZodObject>(section: T) {
  return z.preprocess((v) => v ?? {}, section);
}

// ---------------------------------------------------------------------------------------------
// The schema

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const MAX_TTL = 86400;

const STORE_TYPES = ['memory', 'redis'] as const;
export type StoreType = (typeof STORE_TYPES)[number];

const trustFrameworkSchema = z.object({
  name: documented(text(), {
    type: 'string',
    required: true,
    description: 'Name of the trust framework; the entry named `DOME` (case-insensitive) is used, else the first.',
  }),
  trustedIssuersListUrl: documented(location(), {
    type: 'http(s) URL or file path',
    required: true,
    description:
      'Trusted Issuers List base: the issuer DID is appended to it by plain concatenation (IN2 behaviour), so an http(s) URL should end with `/` (a warning is given otherwise). Relative paths are resolved against the working directory.',
  }),
  trustedServicesListUrl: documented(location(), {
    type: 'http(s) URL or file path',
    required: true,
    description: 'Trusted Services List (the YAML registry of OAuth clients), reloaded every `clientsRefreshSeconds`.',
  }),
  revokedCredentialListUrl: documented(optionalLocation(), {
    type: 'http(s) URL or file path',
    description: 'Legacy revoked-credentials YAML list; optional (credentials with `credentialStatus` use status lists).',
  }),
  legacyReadEnabled: documented(bool(true), {
    type: 'boolean',
    default: '`true`',
    description:
      'Accept the legacy LEAR credential family (DOME VCDM 1.1-era types `LEARCredentialEmployee`, `LEARCredentialMachine` and their `.3`/`.2`, `learcredential.*.w3c.1–3` ids; IN2 `verifier.dome.legacy-read-enabled`). `false` closes the sunset window: such credentials are refused with 410 `legacy_format_sunset_closed` (problem+json).',
  }),
  bumpedReadEnabled: documented(bool(true), {
    type: 'boolean',
    default: '`true`',
    description:
      'Accept the bumped family (VCDM 2.0 `learcredential.employee.w3c.4`, `learcredential.machine.w3c.3`, SD-JWT `*.sd.1`; IN2 `verifier.dome.bumped-read-enabled`). `false` refuses them with 503 `bumped_format_temporarily_disabled` (problem+json).',
  }),
  dcqlProfiles: documented(optionalDcqlProfiles(), {
    type: 'JSON object (scope → list of DCQL credential queries)',
    default: '`learcredential` and `learcredential.employee` → `lear_employee_jwt_vc`, `lear_employee_sd_jwt`; `learcredential.machine` → `lear_machine_jwt_vc`, `lear_machine_sd_jwt` (docs/compatibility.md)',
    description:
      "IN2 V3's `verifier.dcql.profiles`: the scopes an RP may ask for (besides openid, profile, email, offline_access) and the `dcql_query` credentials each puts in the request object, e.g. `{\"learcredential\":[{\"id\":\"lear_employee_jwt_vc\",\"format\":\"jwt_vc_json\",\"meta\":{\"credential_definition\":{\"type\":[\"VerifiableCredential\",\"learcredential.employee.w3c.4\"]}}}]}`. `jwt_vc_json` queries need `meta.credential_definition.type` (`type_values` is derived), `dc+sd-jwt` queries `meta.vct_values`; a query id names one query in every profile.",
  }),
});

/**
 * The zod schema of the configuration as read from file and env (before the cross-key checks
 * and path resolution of load-config.ts). Object and list nodes carry no defaults: the loader
 * always supplies them, so the tree stays walkable for binding and docs.
 */
export const verifierConfigSchema = z.object({
  server: z.object({
    host: documented(optionalText(), {
      type: 'string',
      default: '`0.0.0.0` when a trust framework is configured; `127.0.0.1` without configuration (the development verifier)',
      aliases: ['HOST'],
      description: 'Interface the HTTP server listens on. The no-configuration development verifier (generated key, demo trust framework) answers on loopback only unless this is set.',
    }),
    port: documented(int(1, 65535, 8080), {
      type: 'integer 1–65535',
      default: '`8080`',
      aliases: ['PORT'],
      description: 'TCP port of the HTTP server; `PORT` wins over the file and `SERVER_PORT`.',
    }),
    maxQueuedRequests: documented(int(1, 1_000_000, 1024), {
      type: 'integer ≥ 1',
      default: '`1024`',
      description:
        'Token and wallet-response requests allowed to wait for CPU (the FIFO work queue, docs/operations.md); one more is refused at once with 503 `temporarily_unavailable` (ERR_SERVER_BUSY). 1024 is about half a second of work per core.',
    }),
    maxQueueWaitMs: documented(int(10, 600_000, 1000), {
      type: 'integer 10–600000',
      default: '`1000`',
      description:
        'A queued token or wallet-response request that has waited this long for CPU is refused with 503 (ERR_SERVER_BUSY) instead of being served late, so accepted requests stay within this bound plus their own processing.',
    }),
    headersTimeoutMs: documented(int(100, 600_000, 10_000), {
      type: 'integer 100–600000',
      default: '`10000`',
      description: 'Time a client has to send the request line and headers; the connection is then closed (slow-header attacks). At most `requestTimeoutMs`.',
    }),
    requestTimeoutMs: documented(int(100, 600_000, 15_000), {
      type: 'integer 100–600000',
      default: '`15000`',
      description: 'Time a client has to send the whole request, body included (bodies are ≤ 64 KiB); a request still incomplete is answered 408 and its connection closed (slow-body attacks).',
    }),
    keepAliveTimeoutMs: documented(int(100, 600_000, 5_000), {
      type: 'integer 100–600000',
      default: '`5000`',
      description: 'An idle keep-alive connection is closed after this long. Behind a proxy that pools connections, set it above the proxy\'s upstream idle timeout.',
    }),
    logBufferBytes: documented(int(0, 16_000, 4096), {
      type: 'integer 0–16000',
      default: '`4096`',
      description:
        'Log lines are collected in memory and written to stdout once this many bytes are waiting, and at least every 500 ms (one write for a dozen access-log lines instead of a write each: about 3 % of the CPU of a token request). Buffered lines are written at exit, SIGTERM included; a SIGKILL loses at most this much. Should stdout block, at most 16 MiB wait and further lines are dropped rather than stalling requests. `0` writes every line synchronously as it is logged.',
    }),
    maxConnections: documented(int(1, 1_000_000, 4096), {
      type: 'integer ≥ 1',
      default: '`4096`',
      description: 'Open connections the public port accepts; a connection beyond it is closed at once (the management port is not counted). Keep it below the process file-descriptor limit.',
    }),
    maxConnectionsPerAddress: documented(int(0, 1_000_000, 0), {
      type: 'integer ≥ 0',
      default: '`0` (off)',
      description:
        'Open connections one peer address may hold on the public port; 0 = no per-address cap. The peer is the TCP peer, so behind an ingress every connection comes from the proxy: leave it off there or set it above the proxy\'s pool.',
    }),
    trustProxy: documented(textDefault('loopback,linklocal,uniquelocal'), {
      type: '`true` | `false` | comma-separated addresses, CIDRs and `loopback` / `linklocal` / `uniquelocal`',
      default: '`loopback,linklocal,uniquelocal`',
      description:
        'Peers whose `X-Forwarded-For` is believed when taking the client address (rate limits, logs). The default trusts loopback and private ranges (an ingress in the cluster) but not internet peers, who cannot spoof their address. `true` trusts every peer (only when the port is reachable solely through the proxy), `false` none.',
    }),
    management: optionalSection(
      z.object({
        port: documented(z.preprocess(toInteger, z.number(expected('an integer')).int().min(1, { error: 'must be an integer between 1 and 65535' }).max(65535, { error: 'must be an integer between 1 and 65535' }).optional()), {
          type: 'integer 1–65535',
          default: 'none (off)',
          description:
            'Port of a second listener that serves only the health routes and `/metrics`, outside the public port\'s connection cap, timeouts queue and rate limits — so probes and scrapes are answered while the public port is flooded. Off when unset; the public port keeps serving them too.',
        }),
        host: documented(optionalText(), {
          type: 'string',
          default: '`server.host`',
          description: 'Interface of the management listener.',
        }),
      }),
    ),
    rateLimit: optionalSection(
      z.object({
        enabled: documented(bool(true), {
          type: 'boolean',
          default: '`true`',
          description: 'Per-source-address and per-client rate limits (token buckets, per replica); a request over a limit is answered 429 `temporarily_unavailable` (ERR_RATE_LIMITED) with `Retry-After`.',
        }),
        perIpPerSecond: documented(int(1, 1_000_000, 100), {
          type: 'integer ≥ 1',
          default: '`100`',
          description: 'Sustained requests per second one client address may make to the public endpoints (health and metrics excluded); checked when the headers arrive, before the body is read.',
        }),
        perIpBurst: documented(int(1, 1_000_000, 200), {
          type: 'integer ≥ 1',
          default: '`200`',
          description: 'Requests one client address may make at once above the sustained rate.',
        }),
        perClientPerSecond: documented(int(1, 1_000_000, 10), {
          type: 'integer ≥ 1',
          default: '`10`',
          description: 'Sustained token requests per second per client id (`client_id`, or the client assertion\'s unverified `iss`), checked after the form is read and before any signature is verified.',
        }),
        perClientBurst: documented(int(1, 1_000_000, 50), {
          type: 'integer ≥ 1',
          default: '`50`',
          description: 'Token requests one client may make at once above the sustained rate.',
        }),
        maxTrackedKeys: documented(int(100, 10_000_000, 100_000), {
          type: 'integer ≥ 100',
          default: '`100000`',
          description: 'Addresses and client ids the limiter remembers (least recently seen forgotten first), which bounds its memory (≈ 100 bytes each).',
        }),
      }),
    ),
  }),
  logLevel: documented(choice(LOG_LEVELS, 'info'), {
    type: LOG_LEVELS.join(' | '),
    default: '`info`',
    aliases: ['LOG_LEVEL'],
    description: 'Log level of the server (pino levels).',
  }),
  verifier: z.object({
    backend: z.object({
      url: documented(issuerUrl(), {
        type: 'http(s) URL',
        default: '`http://localhost:<server.port>`',
        description:
          'Public base URL of the verifier: OAuth issuer, token `iss`, required client-assertion `aud`, base of `response_uri`. No query or fragment; a trailing `/` is removed. It may carry a path (`https://host/verifier`, the IN2 V3 shape): discovery then also answers at the RFC 8414 path-inserted URLs, and client assertions may name the issuer with or without the path (docs/compatibility.md).',
      }),
      serveUnderIssuerPath: documented(bool(false), {
        type: 'boolean',
        default: '`false`',
        description:
          'Serve every public route under the path of `url` (`/verifier/oidc/token`, `/verifier/login`, …), for deployments without a prefix-stripping proxy in front, like IN2 V3. Off: the routes stay at the root and a proxy strips the prefix. Health and metrics stay at the root either way.',
      }),
      identity: z.object({
        privateKey: documented(privateKeyHex(), {
          type: 'hex P-256 private key (32 bytes, optional `0x`)',
          default: 'generated development key, kept under `dataDir`',
          secret: true,
          description: 'Signing key of the verifier (tokens, request objects). Set it in production; when absent a development key is generated and persisted.',
        }),
        didKey: documented(didKey(), {
          type: 'did:key',
          default: 'derived from `privateKey`',
          description: 'did:key of the verifier (`kid`, OID4VP `client_id`); when set it must match the one derived from `privateKey`.',
        }),
        certificate: documented(optionalText(), {
          type: 'PEM certificate chain, leaf first (the PEM text, or a path to a PEM file)',
          description:
            "Identity certificate of the verifier (IN2 V3's `verifier.backend.identity.certificate`); its leaf key must be the identity key (`privateKey`). When set, the request object names the verifier `x509_hash:<base64url SHA-256 of the leaf DER>` (OpenID4VP 1.0 §5.9.3) and carries the chain in its `x5c` header; the PWA answers with that `aud`. The deployed DOME wallet requires the did:key client id: leave this unset while it must log in. Unset by default.",
        }),
        verifiableCredential: documented(optionalText(), {
          type: 'string',
          secret: true,
          description: 'Accepted for IN2 compatibility (Helm secret `VERIFIER_BACKEND_IDENTITY_VERIFIABLE_CREDENTIAL`); not used.',
        }),
      }),
      trustFrameworks: z.array(trustFrameworkSchema, { error: 'must be a list' }),
      x509: z.object({
        trustAnchors: documented(optionalLocalPath(), {
          type: 'file path (PEM)',
          description:
            'PEM file with one or more trusted root certificates for `x5c` chains of credentials; relative paths are resolved against the working directory. Optional: the demo trust framework brings its own.',
        }),
      }),
      outbound: z.object({
        allowInsecure: documented(bool(false), {
          type: 'boolean',
          default: '`false`',
          description:
            'Allow `http:` and loopback/private addresses for client-supplied URLs (jwkSetUrl, request_uri, status lists). Development and tests only; the server logs a warning.',
        }),
        timeoutMs: documented(int(100, 10000, 2500), {
          type: 'integer 100–10000',
          default: '`2500`',
          description: 'Timeout of each outbound HTTP request, in milliseconds.',
        }),
      }),
      did: z.object({
        cacheTtlSeconds: documented(int(1, MAX_TTL, 300), {
          type: `integer 1–${MAX_TTL}`,
          default: '`300`',
          description: 'How long a resolved DID document (did:web; did:key and did:jwk are decoded locally) is reused, in seconds; failures (not found, unreachable, unusable document) are remembered for min(this, 10 s), never as a document. At most 1,000 DIDs are cached.',
        }),
        webTimeoutMs: documented(int(100, 10000, 2500), {
          type: 'integer 100–10000',
          default: '`2500`',
          description: 'Timeout of a did:web document fetch (connect + headers + body), in milliseconds; did:web documents are fetched as untrusted URLs (https, public addresses only, no redirects).',
        }),
        webMaxDocumentBytes: documented(int(1024, 1048576, 65536), {
          type: 'integer 1024–1048576',
          default: '`65536`',
          description: 'Size cap of a did:web document, in bytes; a larger one fails resolution (401 `ERR_DID_RESOLUTION_FAILED`).',
        }),
        webAllowHttp: documented(bool(false), {
          type: 'boolean',
          default: '`false`',
          description: 'Fetch did:web documents over `http:` instead of `https:` — tests and local development against a loopback host only, together with `outbound.allowInsecure`; never in production (an http document proves nothing about the DID).',
        }),
      }),
      accessToken: z.object({
        typ: documented(choice(['JWT', 'at+jwt'] as const, 'JWT'), {
          type: 'JWT | at+jwt',
          default: '`JWT`',
          description: 'JOSE `typ` of access tokens: `JWT` (IN2; DOME resource servers reject `at+jwt`) or `at+jwt` (RFC 9068).',
        }),
        expiresInSeconds: documented(int(60, 86400, 3600), {
          type: 'integer 60–86400',
          default: '`3600`',
          description: 'Lifetime of access tokens in seconds (IN2: 3600).',
        }),
        recordMachineTokens: documented(bool(false), {
          type: 'boolean',
          default: '`false`',
          description:
            'Record every M2M access token (`jti` → client, until `exp`) in the store. Off, M2M issuance writes nothing and introspection answers active for any unexpired, unrevoked M2M token it signed (its client inferred from `sub`). On, an M2M token is active only while its record exists (fail closed after a store loss), and introspection and revocation use the recorded client. H2M tokens are always recorded.',
        }),
      }),
      idToken: z.object({
        expiresInSeconds: documented(int(30, 3600, 60), {
          type: 'integer 30–3600',
          default: '`60`',
          description: 'Lifetime of ID tokens in seconds (IN2: 60).',
        }),
      }),
      refreshToken: z.object({
        expiresInSeconds: documented(int(60, 30 * 86400, 43200), {
          type: 'integer 60–2592000',
          default: '`43200`',
          description: 'Lifetime of refresh tokens in seconds; every use rotates the token, reuse of a rotated one revokes the whole login.',
        }),
      }),
      login: z.object({
        lifetimeSeconds: documented(int(30, 600, 120), {
          type: 'integer 30–600',
          default: '`120`',
          description: 'How long a wallet login (QR code, request object, session) stays valid, in seconds (IN2: 120).',
        }),
        presentationAudiences: documented(textDefault('https://self-issued.me/v2'), {
          type: 'comma-separated strings',
          default: '`https://self-issued.me/v2`',
          description:
            'Accepted `aud` values of wallet presentations, besides the verifier did:key and URL, which are always accepted. The DOME wallet sends `https://self-issued.me/v2`.',
        }),
        maxPending: documented(int(1, 10_000_000, 20_000), {
          type: 'integer 1–10000000',
          default: '`20000`',
          description:
            'Logins pending at once on this replica (each holds ≈ 4 KB of store for `lifetimeSeconds`); beyond it `/oidc/authorize` answers 503 with `Retry-After` and stores nothing. Counted per replica, in memory.',
        }),
        maxPendingPerClient: documented(int(1, 10_000_000, 10_000), {
          type: 'integer 1–10000000',
          default: '`10000`',
          description: 'Logins of one `client_id` pending at once on this replica; beyond it 429 with `Retry-After`, nothing stored.',
        }),
        maxPendingPerIp: documented(int(1, 10_000_000, 100), {
          type: 'integer 1–10000000',
          default: '`100`',
          description:
            'Logins from one source address (`request.ip`: behind a proxy, as `server.*` trust settings make it; IPv6 counted per /64) pending at once on this replica; beyond it 429 with `Retry-After`, nothing stored.',
        }),
        answerLeaseSeconds: documented(int(1, 600, 30), {
          type: 'integer 1–600',
          default: '`30`',
          description:
            'How long a wallet answer being verified holds its login: another answer for the login is refused (409, `Retry-After`) until the lease lapses, then it may take over (a replica killed mid-answer does not block the login). Longer than the worst verification time (several outbound timeouts).',
        }),
      }),
      requestObject: z.object({
        requireExp: documented(bool(true), {
          type: 'boolean',
          default: '`true`',
          description: 'Signed request objects (RFC 9101) must carry `exp` (at most 60 min after `nbf`/`iat`). Set `false` for DOME relying parties whose request objects have none.',
        }),
        requireAud: documented(bool(true), {
          type: 'boolean',
          default: '`true`',
          description: 'Signed request objects must carry an `aud` naming this issuer. Set `false` for DOME relying parties whose request objects have none (a present `aud` is always checked).',
        }),
      }),
      security: z.object({
        clockSkewSeconds: documented(int(0, 300, 60), {
          type: 'integer 0–300',
          default: '`60`',
          description: 'Clock skew tolerated when checking `exp`/`nbf`/`iat` of incoming JWTs, in seconds.',
        }),
        maxAssertionLifetimeSeconds: documented(int(10, 3600, 300), {
          type: 'integer 10–3600',
          default: '`300`',
          description: 'A client assertion `exp` may be at most this many seconds in the future.',
        }),
        acceptMillisecondTimestamps: documented(bool(true), {
          type: 'boolean',
          default: '`true`',
          description: 'DOME leniency: numeric dates above 10^11 are read as milliseconds (the DOME issuer sends `iat`/`exp` in ms).',
        }),
      }),
      cache: z.object({
        trustedIssuersTtlSeconds: documented(int(1, MAX_TTL, 60), {
          type: `integer 1–${MAX_TTL}`,
          default: '`60`',
          description: 'How long a Trusted Issuers List answer is cached, in seconds.',
        }),
        statusListTtlSeconds: documented(int(1, MAX_TTL, 300), {
          type: `integer 1–${MAX_TTL}`,
          default: '`300`',
          description: 'How long a fetched credential status list is cached, in seconds.',
        }),
        clientJwksTtlSeconds: documented(int(1, MAX_TTL, 300), {
          type: `integer 1–${MAX_TTL}`,
          default: '`300`',
          description: "How long a client's JWKS (`jwkSetUrl`) is cached, in seconds.",
        }),
        revokedListTtlSeconds: documented(int(1, MAX_TTL, 60), {
          type: `integer 1–${MAX_TTL}`,
          default: '`60`',
          description: 'How long the legacy revoked-credentials list is cached, in seconds.',
        }),
        failureTtlSeconds: documented(int(0, 300, 5), {
          type: 'integer 0–300',
          default: '`5`',
          description:
            'After a failed load of the revoked-credentials list (error, timeout, or an unusable answer), checks within this many seconds do not fetch it again: they use the last good list within its grace, or fail closed with 503 at once. `0` re-fetches on every check.',
        }),
      }),
      clientsRefreshSeconds: documented(int(1, MAX_TTL, 300), {
        type: `integer 1–${MAX_TTL}`,
        default: '`300`',
        description: 'How often the Trusted Services List (clients) is reloaded, in seconds; a failed refresh keeps the last good list.',
      }),
      dataDir: documented(textDefault('./data'), {
        type: 'directory path',
        default: '`./data` (resolved against the working directory)',
        aliases: ['VERIFIER_DATA_DIR'],
        description: 'Where the development identity key and the demo trust framework are kept.',
      }),
      store: optionalSection(
        z.object({
          type: documented(choice(STORE_TYPES, 'memory'), {
            type: STORE_TYPES.join(' | '),
            default: '`memory`',
            description:
              'Where replay set, login sessions, request objects, codes and refresh tokens are kept: `memory` (one instance only) or `redis` (shared by several replicas behind a load balancer).',
          }),
          redisUrl: documented(optionalRedisUrl(), {
            type: 'redis:// or rediss:// URL',
            secret: true,
            description:
              'Redis server of the `redis` store, e.g. `rediss://:password@redis.example:6380/0`; required when `type` is `redis`. Needs Redis ≥ 6.2 (GETDEL; older servers use a Lua fallback).',
          }),
          keyPrefix: documented(textDefault('dome-verifier:'), {
            type: 'string',
            default: '`dome-verifier:`',
            description: 'Prefix of every Redis key, so that several deployments can share one Redis; all replicas of one verifier must use the same prefix.',
          }),
        }).superRefine((store, ctx) => {
          if (store.type === 'redis' && store.redisUrl === undefined) {
            ctx.addIssue({ code: 'custom', path: ['redisUrl'], message: 'is required when verifier.backend.store.type is redis' });
          }
        }),
      ),
    }),
    frontend: z.object({
      urls: z.object({
        onboarding: documented(httpUrl('https://knowledgebase.dome-marketplace.eu'), {
          type: 'http(s) URL',
          default: '`https://knowledgebase.dome-marketplace.eu`',
          description: 'Onboarding link on the login page.',
        }),
        support: documented(httpUrl('https://ticketing.dome-marketplace.eu'), {
          type: 'http(s) URL',
          default: '`https://ticketing.dome-marketplace.eu`',
          description: 'Support link on the login page.',
        }),
        wallet: documented(optionalHttpUrl(), {
          type: 'http(s) URL',
          default: 'none: the same-device button opens the `openid4vp://` link',
          description:
            'Wallet of the same-device button and the footer link (https). With `walletKind: wallet-api` it replaces `openid4vp://` and keeps the request query, as DOME does (set `https://wallet.dome-marketplace.eu` for the deployed DOME wallet); with `walletKind: pwa` the button opens the PWA route `/protocol/callback`.',
        }),
      }),
      colors: z.object({
        primary: documented(color('#2D58A7'), {
          type: 'colour #rgb or #rrggbb',
          default: '`#2D58A7`',
          description: 'Primary colour of the login page.',
        }),
        primaryContrast: documented(color('#ffffff'), {
          type: 'colour #rgb or #rrggbb',
          default: '`#ffffff`',
          description: 'Text colour on the primary colour.',
        }),
        secondary: documented(color('#14274A'), {
          type: 'colour #rgb or #rrggbb',
          default: '`#14274A`',
          description: 'Secondary colour of the login page.',
        }),
        secondaryContrast: documented(color('#00ADD3'), {
          type: 'colour #rgb or #rrggbb',
          default: '`#00ADD3`',
          description: 'Text colour on the secondary colour.',
        }),
      }),
      logoSrc: documented(optionalText(), {
        type: 'string (URL or path)',
        default: 'built-in logo',
        description: 'Logo of the login page (IN2 V1 key).',
      }),
      faviconSrc: documented(optionalText(), {
        type: 'string (URL or path)',
        default: 'built-in favicon',
        description: 'Favicon of the login page (IN2 V1 key).',
      }),
      assets: z.object({
        baseUrl: documented(optionalText(), {
          type: 'string (URL)',
          description: 'Base URL that `logoPath` and `faviconPath` are relative to (IN2 V2 keys).',
        }),
        logoPath: documented(optionalText(), {
          type: 'string',
          description: 'Logo path under `assets.baseUrl` (IN2 V2).',
        }),
        faviconPath: documented(optionalText(), {
          type: 'string',
          description: 'Favicon path under `assets.baseUrl` (IN2 V2).',
        }),
      }),
      defaultLang: documented(choice(['en', 'es', 'ca'] as const, 'en'), {
        type: 'en | es | ca',
        default: '`en`',
        description: 'Default language of the login page.',
      }),
      walletKind: documented(choice(WALLET_KINDS, 'wallet-api'), {
        type: 'wallet-api | pwa',
        default: '`wallet-api`',
        description:
          'Which DOME wallet `urls.wallet` is, for the same-device link: `wallet-api` (the deployed wallet) gets `openid4vp://` rewritten to `urls.wallet` with the request query kept; `pwa` (the EUDIStack wallet PWA) gets `{urls.wallet}/protocol/callback?authorization_request=<urlencoded openid4vp URL>`.',
      }),
      portalUrl: documented(issuerUrl(), {
        type: 'http(s) URL without query or fragment (a trailing `/` is removed)',
        default: 'none: our own login page',
        description:
          "External login portal (IN2 V3's `verifier.frontend.portalUrl`): `/oidc/authorize` redirects the browser to `{portalUrl}/login?authRequest=&state=&homeUri=` instead of our `/login` page, and the portal subscribes to `GET /api/login/events?state=` (CORS from its origin) for `redirect` and `validation_failed` events. The `state` given to the portal is the login's secret handle, not the RP's `state` (docs/compatibility.md, \"IN2 V3 deployment shape\").",
      }),
      walletOrigins: documented(walletOrigins(), {
        type: '`*` or comma-separated origins',
        default: '`*`',
        description:
          'Origins allowed to call the wallet endpoints `/oid4vp/auth-request/*` and `/oid4vp/auth-response` from a browser (the wallet PWA): `Access-Control-Allow-Origin` on every answer and preflight. `*` (IN2) suits these public endpoints; a list (e.g. `https://wallet.dome-marketplace.eu`) echoes a listed origin only.',
      }),
    }),
    fiware: optionalSection(
      z.object({
        services: documented(fiwareServices(), {
          type: 'list of FIWARE services (YAML), or JSON text of that list (env var)',
          default: 'none: the FIWARE surface answers for no service',
          description:
            "FIWARE VCVerifier's `ConfiguredService` list (docs/fiware.md): each service `id` (the `/services/{id}/…` path, the OAuth client_id and the token `aud`), `defaultOidcScope`, `authorizationType` (`DEEPLINK` | `FRONTEND_V2`), `oidcScopes` (scope name → `credentials` [type, trustedParticipantsLists, trustedIssuersLists, holderVerification, jwtInclusion, credentialStatus], `dcql`, `presentationDefinition`, `flatClaims`), plus our `allowUnboundVp` (default false) and `redirectUris`. Unknown keys are refused; `${…}` placeholders are not resolved inside it.",
        }),
        configRepo: optionalSection(
          z.object({
            configEndpoint: documented(optionalHttpUrl(), {
              type: 'http(s) URL',
              default: 'none (not polled)',
              description:
                "An external Credentials Config Service (VCVerifier's `configRepo.configEndpoint`) whose services are polled: `GET <configEndpoint>/service?pageSize=100&page=<n>` page by page; a set that cannot be read or checked keeps the last good one. Static `services` are kept while it has none with the same id. Ignored (with a warning) when `configServer.enabled`: the API's own services take precedence, as in VCVerifier.",
            }),
            updateIntervalSeconds: documented(int(1, 86400, 30), {
              type: 'integer 1–86400',
              default: '`30`',
              description: 'How often `configEndpoint` is polled (VCVerifier `configRepo.updateInterval`).',
            }),
          }),
        ),
        configServer: optionalSection(
          z.object({
            enabled: documented(bool(false), {
              type: 'boolean',
              default: '`false`',
              description:
                "Serve the Credentials-Config-Service-compatible `/service` API (FIWARE VCVerifier's `configServer`, docs/fiware.md \"Service configuration API\") on its own listener. The services it holds live in the store (shared by all replicas) and take precedence over `services` with the same id.",
            }),
            port: documented(int(1, 65535, 8090), {
              type: 'integer 1–65535',
              default: '`8090`',
              description: 'Port of the configuration API listener.',
            }),
            host: documented(textDefault('127.0.0.1'), {
              type: 'string',
              default: '`127.0.0.1` (loopback only)',
              description:
                'Interface of the configuration API listener. Any address that is not loopback requires `bearerToken` or mTLS (`tlsCert`, `tlsKey`, `clientCa`): the verifier refuses to start otherwise.',
            }),
            bearerToken: documented(optionalText(), {
              type: 'string, at least 32 characters',
              secret: true,
              description:
                'When set, every API request (not `/health`) must carry `Authorization: Bearer <token>`; compared in constant time, never logged. Required when `host` is not loopback and mTLS is not configured.',
            }),
            tlsCert: documented(optionalText(), {
              type: 'PEM certificate chain (the PEM text, or a path to a PEM file)',
              description: 'With `tlsKey` and `clientCa`: the listener speaks HTTPS with this certificate and requires a client certificate signed by `clientCa` (mTLS).',
            }),
            tlsKey: documented(optionalText(), {
              type: 'PEM private key (the PEM text, or a path to a PEM file)',
              secret: true,
              description: 'Private key of `tlsCert`.',
            }),
            clientCa: documented(optionalText(), {
              type: 'PEM CA certificates (the PEM text, or a path to a PEM file)',
              description: 'CAs whose client certificates the mTLS listener accepts; a request without such a certificate is refused during the TLS handshake.',
            }),
            cacheSeconds: documented(int(1, 300, 5), {
              type: 'integer 1–300',
              default: '`5`',
              description:
                'How long a replica serves its cached copy of the stored services before reading the store again: a change made through the API at one replica reaches the others within this time (at once at the replica that made it). VCVerifier refreshes every 30 s.',
            }),
          }),
        ),
      }),
    ),
  }),
});

/** Output of `verifierConfigSchema`, before cross-key checks and path resolution. */
export type ParsedConfig = z.output<typeof verifierConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Tree view of the schema, for binding and docs

export type ConfigNode = ObjectNode | ArrayNode | LeafNode;

export interface ObjectNode {
  readonly kind: 'object';
  /** Children by relaxed name (lowercase, `-`/`_` removed). */
  readonly children: ReadonlyMap<string, { readonly name: string; readonly node: ConfigNode }>;
}
export interface ArrayNode {
  readonly kind: 'array';
  readonly element: ConfigNode;
}
export interface LeafNode {
  readonly kind: 'leaf';
  readonly doc: ConfigKeyDoc;
}

/** Spring relaxed form of a name: case and `-`/`_` separators do not matter. */
export function relaxedName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

function buildTree(schema: z.ZodType, path: string): ConfigNode {
  if (schema instanceof z.ZodObject) {
    const children = new Map<string, { name: string; node: ConfigNode }>();
    for (const [name, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const relaxed = relaxedName(name);
      if (children.has(relaxed)) throw new Error(`config schema: ${path}.${name} collides with a sibling`);
      children.set(relaxed, { name, node: buildTree(child, path === '' ? name : `${path}.${name}`) });
    }
    return { kind: 'object', children };
  }
  if (schema instanceof z.ZodArray) return { kind: 'array', element: buildTree(schema.element as z.ZodType, `${path}[i]`) };
  if (schema instanceof z.ZodPipe && schema.out instanceof z.ZodObject && !configDocs.has(schema)) return buildTree(schema.out, path); // optionalSection
  const doc = configDocs.get(schema);
  if (doc === undefined) throw new Error(`config schema: ${path} has no documentation`);
  return { kind: 'leaf', doc };
}

/** The schema as a tree of object, list and leaf nodes. */
export const CONFIG_TREE = buildTree(verifierConfigSchema, '') as ObjectNode;

/** One row of the key table. */
export interface ConfigKeyRow extends ConfigKeyDoc {
  /** YAML path, lists written `[i]`: `verifier.backend.trustFrameworks[i].name`. */
  readonly key: string;
  /** Env var in Spring's canonical form, lists written `<i>`: `VERIFIER_BACKEND_TRUST_FRAMEWORKS_<i>_NAME`. */
  readonly env: string;
}

/** `trustedIssuersListUrl` → `TRUSTED_ISSUERS_LIST_URL`. */
export function envSegment(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toUpperCase();
}

function collectRows(node: ConfigNode, key: string, env: string, out: ConfigKeyRow[]): void {
  if (node.kind === 'leaf') {
    out.push({ ...node.doc, key, env });
  } else if (node.kind === 'array') {
    collectRows(node.element, `${key}[i]`, `${env}_<i>`, out);
  } else {
    for (const { name, node: child } of node.children.values()) {
      collectRows(child, key === '' ? name : `${key}.${name}`, env === '' ? envSegment(name) : `${env}_${envSegment(name)}`, out);
    }
  }
}

/** The documentation table: one row per leaf key, in schema order. */
export const CONFIG_KEYS: readonly ConfigKeyRow[] = (() => {
  const rows: ConfigKeyRow[] = [];
  collectRows(CONFIG_TREE, '', '', rows);
  return rows;
})();

// ---------------------------------------------------------------------------------------------
// Output type (after load-config.ts: defaults filled, cross-checked, paths resolved, frozen)

export interface TrustFrameworkConfig {
  readonly name: string;
  /** http(s) URL as given, or an absolute file path (a trailing `/` is kept). */
  readonly trustedIssuersListUrl: string;
  readonly trustedServicesListUrl: string;
  readonly revokedCredentialListUrl?: string;
  /** EUDISTACK-145 dual-read switches (both default true). */
  readonly legacyReadEnabled: boolean;
  readonly bumpedReadEnabled: boolean;
  /** Undefined ⇒ DEFAULT_DCQL_PROFILES. */
  readonly dcqlProfiles?: DcqlProfiles;
}

export interface VerifierConfig {
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly maxQueuedRequests: number;
    readonly maxQueueWaitMs: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    /** 0 = every log line written synchronously. */
    readonly logBufferBytes: number;
    readonly maxConnections: number;
    /** 0 = no per-address cap. */
    readonly maxConnectionsPerAddress: number;
    /** As configured: `true`, `false` or a comma-separated list of addresses, CIDRs and presets. */
    readonly trustProxy: string;
    readonly management: { readonly port?: number; readonly host?: string };
    readonly rateLimit: {
      readonly enabled: boolean;
      readonly perIpPerSecond: number;
      readonly perIpBurst: number;
      readonly perClientPerSecond: number;
      readonly perClientBurst: number;
      readonly maxTrackedKeys: number;
    };
  };
  readonly logLevel: LogLevel;
  readonly verifier: {
    readonly backend: {
      /** Issuer URL without trailing `/`. */
      readonly url: string;
      readonly serveUnderIssuerPath: boolean;
      readonly identity: {
        /** 64 lowercase hex digits; undefined ⇒ the server uses a development key. */
        readonly privateKey?: string;
        /** Given or derived from `privateKey`; undefined iff `privateKey` is. */
        readonly didKey?: string;
        /** PEM chain (text or file path), leaf first; leaf key = the identity key. */
        readonly certificate?: string;
        /** Accepted for IN2 compatibility; unused. */
        readonly verifiableCredential?: string;
      };
      /** Empty ⇒ the server generates a demo trust framework. */
      readonly trustFrameworks: readonly TrustFrameworkConfig[];
      /** Absolute path of the PEM trust-anchor file. */
      readonly x509: { readonly trustAnchors?: string };
      readonly outbound: { readonly allowInsecure: boolean; readonly timeoutMs: number };
      readonly did: { readonly cacheTtlSeconds: number; readonly webTimeoutMs: number; readonly webMaxDocumentBytes: number; readonly webAllowHttp: boolean };
      readonly accessToken: { readonly typ: 'JWT' | 'at+jwt'; readonly expiresInSeconds: number; readonly recordMachineTokens: boolean };
      readonly idToken: { readonly expiresInSeconds: number };
      readonly refreshToken: { readonly expiresInSeconds: number };
      readonly login: {
        readonly lifetimeSeconds: number;
        readonly presentationAudiences: string;
        readonly maxPending: number;
        readonly maxPendingPerClient: number;
        readonly maxPendingPerIp: number;
        readonly answerLeaseSeconds: number;
      };
      readonly requestObject: { readonly requireExp: boolean; readonly requireAud: boolean };
      readonly security: {
        readonly clockSkewSeconds: number;
        readonly maxAssertionLifetimeSeconds: number;
        readonly acceptMillisecondTimestamps: boolean;
      };
      readonly cache: {
        readonly trustedIssuersTtlSeconds: number;
        readonly statusListTtlSeconds: number;
        readonly clientJwksTtlSeconds: number;
        readonly revokedListTtlSeconds: number;
        readonly failureTtlSeconds: number;
      };
      readonly clientsRefreshSeconds: number;
      /** Absolute path. */
      readonly dataDir: string;
      readonly store: {
        readonly type: StoreType;
        /** Set whenever `type` is `redis` (checked by the schema); may carry a password. */
        readonly redisUrl?: string;
        readonly keyPrefix: string;
      };
    };
    readonly frontend: {
      readonly urls: { readonly onboarding: string; readonly support: string; readonly wallet?: string };
      readonly colors: {
        readonly primary: string;
        readonly primaryContrast: string;
        readonly secondary: string;
        readonly secondaryContrast: string;
      };
      readonly logoSrc?: string;
      readonly faviconSrc?: string;
      readonly assets: { readonly baseUrl?: string; readonly logoPath?: string; readonly faviconPath?: string };
      readonly defaultLang: 'en' | 'es' | 'ca';
      readonly walletKind: WalletKind;
      /** `*` or origins joined by `,`. */
      readonly walletOrigins: string;
      /** External login portal (IN2 V3 shape); unset ⇒ our login page. */
      readonly portalUrl?: string;
    };
    readonly fiware: {
      /** Empty ⇒ the FIWARE surface serves no service. */
      readonly services: readonly FiwareService[];
      /** An external CCS polled for services (docs/fiware.md). */
      readonly configRepo: { readonly configEndpoint?: string; readonly updateIntervalSeconds: number };
      /** The `/service` configuration API (docs/fiware.md). */
      readonly configServer: {
        readonly enabled: boolean;
        readonly port: number;
        readonly host: string;
        readonly bearerToken?: string;
        /** PEM text as given, or the absolute path of a PEM file (read when the listener starts). */
        readonly tlsCert?: string;
        readonly tlsKey?: string;
        readonly clientCa?: string;
        readonly cacheSeconds: number;
      };
    };
  };
  /** Non-fatal findings (unknown keys, suspicious values); never contain values. */
  readonly warnings: readonly string[];
  /** Where values came from: loaded files (absolute paths) and keys set from env (names only). */
  readonly sources: { readonly file?: readonly string[]; readonly env: readonly string[] };
}
