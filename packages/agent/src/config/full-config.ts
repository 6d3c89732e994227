/**
 * The config file with the agent's checks in their own shapes: what the agent runs on and what
 * `vigil config validate` judges. The watchdog reads the same file through @vigil/shared/config,
 * which takes the checks as they are. The validator is generated at build time from
 * `FullConfigSchema` in ./checks-schema.ts (scripts/generate-validators.ts): the agent loads
 * neither TypeBox nor ajv's compiler.
 */
import type { Static } from '@sinclair/typebox';
import { CONFIG_RULES, createConfigLoader, type VigilConfig } from '@vigil/shared/config';
import { fullConfig } from '../generated/config.js';
import { CHECK_RULES } from './check-rules.js';
import type { FullConfigSchema } from './checks-schema.js';

export type FullConfig = Static<typeof FullConfigSchema> & VigilConfig;

export const { defaultConfig, parseConfig, loadConfigFile, loadConfig } = createConfigLoader<FullConfig>(
  fullConfig,
  [...CONFIG_RULES, ...CHECK_RULES],
);
