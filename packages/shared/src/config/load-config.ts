/**
 * Reading a config file: YAML or JSON, validated against the schema (which fills the defaults),
 * then the cross-field rules; the result is deep-frozen. Every problem is reported at once, as
 * `path: problem` lines under the file's name. `createConfigLoader` binds that to one schema:
 * the watchdog's (below), or the agent's, which adds the shapes and rules of its checks.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { sharedErrors } from '../errors.js';
import { config as configValidator } from '../generated/config.js';
import { type GeneratedValidator, type Validator, validatorOf } from '../schema/validator.js';
import { normaliseByteSizes } from './byte-sizes.js';
import { CONFIG_RULES, type ConfigRule } from './rules.js';
import type { VigilConfig } from './schema.js';

export interface LoadedConfig<C extends VigilConfig = VigilConfig> {
  readonly config: C;
  /** The file it came from; null for the built-in defaults. */
  readonly source: string | null;
  /**
   * With the `watchdog` scope: problems in the agent's own section, which the watchdog does not
   * start or stop on (the agent judges them, and keeps its last good config).
   */
  readonly agentProblems?: readonly string[];
}

export interface ParseConfigOptions {
  /**
   * `all` (the default; `vigil config validate` and the agent): every problem refuses the file.
   * `watchdog`: only what the watchdog reads must be valid — its own section, the log section
   * and the agent keys it starts the agent with (command, env, faults); the rest of `agent` is
   * taken as its defaults here and reported in `agentProblems`.
   */
  scope?: 'all' | 'watchdog';
}

/** The keys of `agent` the watchdog itself uses (to start the agent and to allow faults). */
const AGENT_KEYS_THE_WATCHDOG_READS = ['command', 'env', 'faults'] as const;

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

function parseText(text: string, source: string): unknown {
  if (text.trim() === '') {
    throw sharedErrors.create('VIGIL_CONFIG_EMPTY', `${source}: the file is empty`, {
      detail: { file: source },
    });
  }
  if (extname(source).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      const match = /position (\d+)/.exec((error as Error).message);
      const where = match ? `:${lineAndColumn(text, Number(match[1]))}` : '';
      throw sharedErrors.create(
        'VIGIL_CONFIG_PARSE',
        `${source}${where}: not valid JSON: ${(error as Error).message}`,
        {
          cause: error,
          detail: { file: source },
        },
      );
    }
  }
  // Loaded only for YAML files: the daemons often run on JSON or the built-in defaults.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, schema: 'core' });
  const [first] = doc.errors;
  if (first) {
    const where = `:${lineAndColumn(text, first.pos[0])}`;
    throw sharedErrors.create(
      'VIGIL_CONFIG_PARSE',
      `${source}${where}: not valid YAML: ${first.message.split('\n')[0]}`,
      {
        cause: first,
        detail: { file: source },
      },
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function invalid(source: string, problems: readonly string[]) {
  return sharedErrors.create(
    'VIGIL_CONFIG_INVALID',
    `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    { detail: { file: source, errors: [...problems] } },
  );
}

/** The file with its `agent` section cut down to what the watchdog reads. */
function watchdogView(raw: Record<string, unknown>): Record<string, unknown> {
  const agent = raw.agent;
  if (agent === null || typeof agent !== 'object' || Array.isArray(agent)) {
    const { agent: _dropped, ...rest } = raw;
    return rest;
  }
  const kept: Record<string, unknown> = {};
  for (const key of AGENT_KEYS_THE_WATCHDOG_READS) {
    if (key in agent) kept[key] = (agent as Record<string, unknown>)[key];
  }
  return { ...raw, agent: kept };
}

export interface ConfigLoader<C extends VigilConfig> {
  /** The built-in config: what `{}` validates to. */
  defaultConfig(): C;
  /** Parses and validates config text; `source` names it in errors and picks JSON by extension. */
  parseConfig(text: string, source: string): C;
  /** As parseConfig, with a scope; returns what the agent section's problems were, if any. */
  parseConfigScoped(
    text: string,
    source: string,
    options?: ParseConfigOptions,
  ): { config: C; agentProblems?: readonly string[] };
  loadConfigFile(path: string, options?: ParseConfigOptions): LoadedConfig<C>;
  /** The config at `path`, or the built-in defaults when there is no path. */
  loadConfig(path: string | null, options?: ParseConfigOptions): LoadedConfig<C>;
}

/**
 * Reading config files against a schema's validator, generated at build time from config/schema.ts
 * (or the agent's fuller schema; scripts/generate-validators.ts), then `rules`.
 */
export function createConfigLoader<C extends VigilConfig>(
  generated: GeneratedValidator,
  rules: readonly ConfigRule<C>[],
): ConfigLoader<C> {
  let validator: Validator<C> | undefined;

  function validateConfig(raw: unknown): { config?: C; problems: string[] } {
    validator ??= validatorOf<C>(generated);
    const sizes = normaliseByteSizes(raw);
    if (sizes.problems.length) return { problems: sizes.problems };
    const parsed = validator(sizes.value);
    if (!parsed.ok) return { problems: parsed.errors };
    const config = parsed.value;
    const problems = rules.flatMap((rule) => rule(config));
    return problems.length ? { problems } : { config, problems };
  }

  function defaultConfig(): C {
    const { config } = validateConfig({});
    if (!config) throw new Error('the built-in defaults do not validate; this is a bug in vigil');
    return deepFreeze(config);
  }

  function parseConfigScoped(
    text: string,
    source: string,
    options: ParseConfigOptions = {},
  ): { config: C; agentProblems?: readonly string[] } {
    const raw = parseText(text, source);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw sharedErrors.create(
        'VIGIL_CONFIG_INVALID',
        `${source}: the top level must be a mapping with "watchdog", "agent" and/or "log" keys`,
        { detail: { file: source, errors: ['(root): must be a mapping'] } },
      );
    }
    const { config, problems } = validateConfig(raw);
    if (config) return { config: deepFreeze(config) };
    if (options.scope !== 'watchdog') throw invalid(source, problems);
    const view = validateConfig(watchdogView(raw as Record<string, unknown>));
    if (!view.config) throw invalid(source, view.problems);
    return { config: deepFreeze(view.config), agentProblems: problems };
  }

  function loadConfigFile(path: string, options: ParseConfigOptions = {}): LoadedConfig<C> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw code === 'ENOENT'
        ? sharedErrors.create('VIGIL_CONFIG_NOT_FOUND', `${path}: no such file`, {
            cause: error,
            detail: { file: path },
          })
        : sharedErrors.create(
            'VIGIL_CONFIG_UNREADABLE',
            `${path}: cannot read (${code ?? (error as Error).message})`,
            {
              cause: error,
              detail: { file: path },
            },
          );
    }
    return { ...parseConfigScoped(text, path, options), source: path };
  }

  return {
    defaultConfig,
    parseConfig: (text, source) => parseConfigScoped(text, source).config,
    parseConfigScoped,
    loadConfigFile,
    loadConfig: (path, options = {}) =>
      path === null ? { config: defaultConfig(), source: null } : loadConfigFile(path, options),
  };
}

/** The config as the watchdog reads it: its own keys and the log's, the agent's checks as given. */
export const { defaultConfig, parseConfig, parseConfigScoped, loadConfigFile, loadConfig } =
  createConfigLoader<VigilConfig>(configValidator, CONFIG_RULES);
