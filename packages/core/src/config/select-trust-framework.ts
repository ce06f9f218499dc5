import type { TrustFrameworkConfig, VerifierConfig } from './schema.ts';

/**
 * The trust framework in use: the entry named `DOME` (case-insensitive, as IN2's
 * `getDOMETrustFrameworkByName`), else the first one, else undefined — the server then generates
 * the demo trust framework.
 */
export function selectTrustFramework(config: Pick<VerifierConfig, 'verifier'>): TrustFrameworkConfig | undefined {
  const list = config.verifier.backend.trustFrameworks;
  return list.find((tf) => tf.name.toLowerCase() === 'dome') ?? list[0];
}
