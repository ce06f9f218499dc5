export { ConfigError } from './config-error.ts';
export { loadConfig, didKeyFromPrivateKeyHex, isLoopbackHost, type LoadConfigOptions } from './load-config.ts';
export { bindEnv, envNameToPath, type EnvBinding } from './env-binding.ts';
export { selectTrustFramework } from './select-trust-framework.ts';
export { renderConfigurationDoc } from './render-config-doc.ts';
export {
  verifierConfigSchema,
  CONFIG_KEYS,
  type ConfigKeyDoc,
  type ConfigKeyRow,
  type LogLevel,
  type TrustFrameworkConfig,
  type VerifierConfig,
} from './schema.ts';
