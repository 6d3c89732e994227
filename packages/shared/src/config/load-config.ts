/**
 * Reading a config file: YAML or JSON, validated against the schema (which fills the defaults),
 * then the cross-field rules; the result is deep-frozen. Every problem is reported at once, as
 * `path: problem` lines under the file's name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { sharedErrors } from '../errors.js';
import { type CompiledSchema, compileSchema } from '../schema/compile.js';
import { crossFieldProblems } from './rules.js';
import { ConfigSchema, type VigilConfig } from './schema.js';

export interface LoadedConfig {
  readonly config: VigilConfig;
  /** The file it came from; null for the built-in defaults. */
  readonly source: string | null;
}

let validator: CompiledSchema<VigilConfig> | undefined;

function validateConfig(value: unknown): { config?: VigilConfig; problems: string[] } {
  validator ??= compileSchema(ConfigSchema);
  const parsed = validator(value);
  if (!parsed.ok) return { problems: parsed.errors };
  const problems = crossFieldProblems(parsed.value);
  return problems.length ? { problems } : { config: parsed.value, problems };
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The built-in config: what `{}` validates to. */
export function defaultConfig(): VigilConfig {
  const { config } = validateConfig({});
  if (!config) throw new Error('the built-in defaults do not validate; this is a bug in vigil');
  return deepFreeze(config);
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

/** Parses and validates config text; `source` names it in errors and picks JSON by extension. */
export function parseConfig(text: string, source: string): VigilConfig {
  const raw = parseText(text, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw sharedErrors.create(
      'VIGIL_CONFIG_INVALID',
      `${source}: the top level must be a mapping with "watchdog", "agent" and/or "log" keys`,
      { detail: { file: source, errors: ['(root): must be a mapping'] } },
    );
  }
  const { config, problems } = validateConfig(raw);
  if (!config) {
    throw sharedErrors.create(
      'VIGIL_CONFIG_INVALID',
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      { detail: { file: source, errors: problems } },
    );
  }
  return deepFreeze(config);
}

export function loadConfigFile(path: string): LoadedConfig {
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
  return { config: parseConfig(text, path), source: path };
}

/** The config at `path`, or the built-in defaults when there is no path. */
export function loadConfig(path: string | null): LoadedConfig {
  return path === null ? { config: defaultConfig(), source: null } : loadConfigFile(path);
}
