/**
 * @vigil/agent/config: the whole config file as the agent reads it, for tools that judge a file
 * the way the agent will (`vigil config validate`). Loads no check, metric or action, and no
 * schema: the checks' TypeBox shapes are in ./checks-schema.ts, compiled at build time.
 */
export type { CheckConfig, CheckType } from './checks-schema.js';
export { defaultConfig, type FullConfig, loadConfig, loadConfigFile, parseConfig } from './full-config.js';
