/**
 * The one error of configuration loading. `key` is the configuration key path the problem is
 * about (`verifier.backend.identity.didKey`, `verifier.backend.trustFrameworks[0].name`), or the
 * option that selected a configuration file (`--config`, `VERIFIER_CONFIG`,
 * `SPRING_CONFIG_ADDITIONAL_LOCATION`) for file-level problems. The message starts with the key
 * and never contains a configured value (values may be secrets).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly key: string;
  /** Every problem found in the same validation pass; the first one is also `key`/`message`. */
  readonly problems: readonly { readonly key: string; readonly reason: string }[];

  constructor(key: string, reason: string, more: readonly { key: string; reason: string }[] = []) {
    const extra = more.length > 0 ? ` (and ${more.length} more: ${more.map((p) => p.key).join(', ')})` : '';
    super(`${key}: ${reason}${extra}`);
    this.key = key;
    this.problems = [{ key, reason }, ...more];
  }
}
