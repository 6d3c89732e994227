/**
 * @vigil/shared/config: the config file (DESIGN.md §6) — its schema with the defaults, the
 * cross-field rules, and loading a file into a frozen config. The agent's checks have their
 * shapes in @vigil/agent, which builds its own loader with `createConfigLoader`.
 */
export {
  type ConfigLoader,
  createConfigLoader,
  deepFreeze,
  defaultConfig,
  type LoadedConfig,
  loadConfig,
  loadConfigFile,
  type ParseConfigOptions,
  parseConfig,
  parseConfigScoped,
} from './load-config.js';
export { CONFIG_RULES, type ConfigRule } from './rules.js';
// The schemas themselves (TypeBox) are in @vigil/shared/schemas, for build time and tests.
export type { AgentConfig, LogConfig, VigilConfig, WatchdogConfig } from './schema.js';
