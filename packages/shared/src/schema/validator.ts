/**
 * A validator generated at build time (ajv standalone code in src/generated/, written by
 * scripts/generate-validators.ts), wrapped into what vigil's boundaries use: `Parsed<T>` with
 * operator-readable error lines. Loads neither TypeBox nor ajv's compiler.
 */
import type { ErrorObject } from 'ajv';
import { formatAjvErrors } from './format-errors.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** What ajv's standalone code exports per schema: a predicate that leaves its errors on itself. */
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** A boundary's check: fills the schema's defaults in place (so pass it data you own). */
export type Validator<T> = (value: unknown) => Parsed<T>;

/**
 * A string's length in code points, as JSON Schema's `minLength`/`maxLength` count it (a
 * surrogate pair is one; a lone surrogate is one too). The generated validators call this
 * instead of ajv's run-time helper, a CommonJS file whose loading alone (node's CJS loader and
 * its export lexer, from an ES module) cost a short-lived command ~4 ms.
 */
export function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    length++;
  }
  return length;
}

/** `prefix` names the root in error paths (e.g. the message type). */
export function validatorOf<T>(validate: GeneratedValidator, prefix = ''): Validator<T> {
  return (value) => {
    if (validate(value)) return { ok: true, value: value as T };
    return { ok: false, errors: formatAjvErrors(validate.errors ?? [], prefix) };
  };
}
