/**
 * ajv's compiler over the TypeBox schemas, for build time and tests: src/generated/ holds what it
 * compiles (scripts/generate-validators.ts writes it with `AJV_OPTIONS`), and run-time code uses
 * those generated validators, never this. `verbose` keeps the offending data on each error so
 * messages can say what was given.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { formatAjvErrors } from './format-errors.js';

import type { Parsed } from './validator.js';

/** The options of every vigil validator; the generated ones add `code: { source: true }`. */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  useDefaults: true,
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
  discriminator: true,
} as const;

let shared: Ajv | undefined;

function ajv(): Ajv {
  shared ??= new Ajv(AJV_OPTIONS);
  return shared;
}

export interface CompiledSchema<T> {
  (value: unknown): Parsed<T>;
  readonly schema: TSchema;
}

/**
 * Compiles a TypeBox schema. The validator fills defaults in place (ajv `useDefaults`), so pass
 * it data you own. `prefix` names the root in error paths (e.g. the message type).
 */
export function compileSchema<T extends TSchema>(schema: T, prefix = ''): CompiledSchema<Static<T>> {
  const validate = ajv().compile(schema);
  const parse = (value: unknown): Parsed<Static<T>> => {
    if (validate(value)) return { ok: true, value: value as Static<T> };
    return { ok: false, errors: formatAjvErrors((validate.errors ?? []) as ErrorObject[], prefix) };
  };
  return Object.assign(parse, { schema });
}
