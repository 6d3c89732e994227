/**
 * One ajv instance for every schema vigil validates at a boundary (socket, config file, CLI input).
 * `verbose` keeps the offending data on each error so messages can say what was given.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { formatAjvErrors } from './format-errors.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

let shared: Ajv | undefined;

function ajv(): Ajv {
  shared ??= new Ajv({
    allErrors: true,
    verbose: true,
    useDefaults: true,
    strict: true,
    strictTypes: false,
    allowUnionTypes: true,
    discriminator: true,
  });
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
