/**
 * @vigil/agent/config: the agent's checks (their shapes and defaults) and the whole config file
 * as the agent reads it, for tools that judge a file the way the agent will (`vigil config
 * validate`). Loads no check, metric or action.
 */
export {
  CHECK_TYPES,
  type CheckConfig,
  CheckSchema,
  type CheckType,
  DEFAULT_CHECKS,
} from './checks-schema.js';
export {
  defaultConfig,
  type FullConfig,
  FullConfigSchema,
  loadConfig,
  loadConfigFile,
  parseConfig,
} from './full-config.js';
