/**
 * The config file with the agent's checks in their own shapes: what the agent runs on and what
 * `vigil config validate` judges. The watchdog reads the same file through @vigil/shared/config,
 * which takes the checks as they are.
 */
import type { Static } from '@sinclair/typebox';
import { CONFIG_RULES, configSchema, createConfigLoader, type VigilConfig } from '@vigil/shared/config';
import { CHECK_RULES } from './check-rules.js';
import { CheckSchema, DEFAULT_CHECKS } from './checks-schema.js';

export const FullConfigSchema = configSchema(CheckSchema, DEFAULT_CHECKS);
export type FullConfig = Static<typeof FullConfigSchema> & VigilConfig;

export const { defaultConfig, parseConfig, loadConfigFile, loadConfig } = createConfigLoader<
  typeof FullConfigSchema,
  FullConfig
>(FullConfigSchema, [...CONFIG_RULES, ...CHECK_RULES]);
