/**
 * Generates `docs/configuration.md` from the schema docs (render-config-doc.test.ts keeps the
 * checked-in file equal to this output; run it with `UPDATE_DOCS=1` to rewrite the file).
 */
import { CONFIG_KEYS, type ConfigKeyRow } from './schema.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => `\`${s}\``;

function envCell(row: ConfigKeyRow): string {
  const aliases = row.aliases ?? [];
  // Keys outside verifier.*/server.* (logLevel) have no relaxed env var, only their alias.
  if (aliases.includes(row.env)) return aliases.map(code).join(', ');
  return [...aliases.map((a) => `${code(a)} (wins)`), code(row.env)].join(', ');
}

function defaultCell(row: ConfigKeyRow): string {
  if (row.default !== undefined) return row.default;
  return row.required ? 'required' : '—';
}

function keyRow(row: ConfigKeyRow): string {
  const description = row.secret ? `${row.description} **Secret.**` : row.description;
  return `| ${[code(row.key), envCell(row), row.type, defaultCell(row), description].map(cell).join(' | ')} |`;
}

const INTRO = `# Configuration

<!-- Generated from packages/core/src/config/schema.ts by render-config-doc.ts. Do not edit by hand:
     run \`UPDATE_DOCS=1 node --import tsx --test packages/core/src/config/render-config-doc.test.ts\`. -->

The DOME Verifier is a drop-in replacement for IN2's Java verifier: it reads the same
\`application.yaml\` (the \`verifier.*\` and \`server.*\` keys) and the same Helm environment variables,
and binds them the way Spring Boot does. Configuration is read once at startup, checked, and frozen;
any error stops the server with a message naming the key (values are never printed, they may be
secrets). Non-fatal findings (unknown keys, suspicious values) are logged as warnings.

## Where configuration comes from

Later sources win over earlier ones:

1. **Defaults** — the *Default* column below. With no file and no variables the verifier starts in
   development mode: a generated identity key and a demo trust framework kept under \`dataDir\`.
2. **One YAML configuration source**, the first of:
   1. \`--config <file>\` on the command line;
   2. \`VERIFIER_CONFIG=<file>\`;
   3. \`SPRING_CONFIG_ADDITIONAL_LOCATION\`, as set by IN2's Helm chart. It may be a file
      (\`file:/config/application.yaml\` or a plain path), a comma-separated list of files (read in
      order, later wins), or a directory ending with \`/\` (\`file:/config/\`): its \`application.yml\`
      and \`application.yaml\` are read, then \`application-<profile>.yml\`/\`.yaml\` for each profile in
      \`SPRING_PROFILES_ACTIVE\`. A missing file or directory is an error unless the entry starts with
      \`optional:\`; \`classpath:\` entries are skipped with a warning;
   4. none.
3. **Environment variables** \`VERIFIER_*\` and \`SERVER_*\`, bound to keys by Spring relaxed binding.
4. **Plain environment variables** \`PORT\`, \`HOST\`, \`LOG_LEVEL\` and \`VERIFIER_DATA_DIR\`, which win over
   everything else for their key.

The keys that were set from the environment (names only) and the files read are reported in
\`config.sources\`.

## YAML files

* Keys outside \`verifier.*\`, \`server.*\` and \`logLevel\` (\`spring.*\`, \`logging.*\`, \`management.*\` …) are
  ignored. An unknown key under \`verifier.*\` or \`server.*\` gives a warning
  (\`unknown key verifier.backend.foo ignored\`); a known key with a value of the wrong type stops the server.
* Key names are relaxed as in Spring: \`trustedIssuersListUrl\`, \`trusted-issuers-list-url\` and
  \`trusted_issuers_list_url\` are the same key. Dotted keys (\`verifier.backend.url: …\`) and indexed keys
  (\`trustFrameworks[0].name: …\`) work too.
* Every scalar is read as text and converted by the key's type, so an unquoted \`privateKey: 0x…\` stays
  intact. Booleans accept \`true/false\`, \`yes/no\`, \`on/off\`, \`1/0\`. An empty value, \`~\` or \`null\`
  means "not set". Quote colours: \`#\` starts a YAML comment.
* \`\${NAME}\` and \`\${NAME:default}\` placeholders are resolved against the environment
  (\`NAME\`, then \`NAME\` upper-cased with \`.\`/\`-\` as \`_\`) and then the other properties.
* Multi-document files: a document with \`spring.config.activate.on-profile\` (or the legacy
  \`spring.profiles\`) applies only when that profile is in \`SPRING_PROFILES_ACTIVE\` (\`default\` when
  unset); \`spring.config.activate.on-cloud-platform: kubernetes\` only on Kubernetes.
* Maps merge across files and documents; a list is taken whole from the last source that sets it.

## Environment variables

A \`VERIFIER_*\` or \`SERVER_*\` variable name is split on \`_\` and matched against the key tree: at each
level one or more parts, joined and compared without case, name a key; under a list a number is the
index. So these pairs are equivalent:

\`\`\`sh
VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY=0x73e5…    # IN2 Helm chart spelling
VERIFIER_BACKEND_IDENTITY_PRIVATEKEY=0x73e5…     # Spring canonical spelling
VERIFIER_BACKEND_IDENTITY_DID_KEY=did:key:zDna…
VERIFIER_BACKEND_IDENTITY_DIDKEY=did:key:zDna…
VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_ISSUERS_LIST_URL=https://tir.example.org/v4/issuers/
VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL=https://tir.example.org/v4/issuers/
\`\`\`

and, for example:

\`\`\`sh
VERIFIER_BACKEND_URL=https://verifier.dome-marketplace.eu
VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME=DOME
VERIFIER_BACKEND_OUTBOUND_ALLOW_INSECURE=false
SERVER_PORT=9000      # PORT=9000 wins over SERVER_PORT and the file
HOST=127.0.0.1        # same as SERVER_HOST / server.host
LOG_LEVEL=debug
\`\`\`

* Empty variables are ignored (the file value or the default stays).
* As in Spring, a list comes whole from one source: once any \`VERIFIER_BACKEND_TRUST_FRAMEWORKS_<i>_…\`
  variable is set, \`trustFrameworks\` from the file is ignored, and indices must run from 0 without gaps.
* Unknown \`VERIFIER_*\`/\`SERVER_*\` variables (for example Kubernetes service links such as
  \`VERIFIER_SERVICE_HOST\`) give a warning and are ignored. \`VERIFIER_CONFIG\` only selects the file.

## Checks at startup

* \`verifier.backend.identity.privateKey\`: 32 bytes of hex (optional \`0x\`), a valid P-256 scalar.
  When \`didKey\` is also set it must be the did:key of that key; when it is not set it is derived.
  \`didKey\` without \`privateKey\` is an error.
* \`verifier.backend.url\`: absolute http(s) URL without query or fragment; a trailing \`/\` is removed
  because the URL is compared exactly with the \`aud\` of client assertions.
* \`trustedIssuersListUrl\`: the issuer DID is appended by plain concatenation, as IN2 does, so an http(s)
  URL without a trailing \`/\` gives a warning.
* Relative file paths (\`dataDir\`, \`x509.trustAnchors\`, trust-framework files) are resolved against
  the working directory.

## Keys

`;

/** The Markdown text of `docs/configuration.md`. */
export function renderConfigurationDoc(): string {
  const header = ['| Key | Env var | Type | Default | Description |', '|---|---|---|---|---|'];
  return `${INTRO}${[...header, ...CONFIG_KEYS.map(keyRow)].join('\n')}\n`;
}
