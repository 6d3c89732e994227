/**
 * A union of string literals built from a const list (protocol/constants.ts): the list is what
 * run-time code iterates, the union what the schema checks, and both stay one list.
 */
import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';

export function literalUnion<const T extends readonly string[]>(
  values: T,
): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((value) => Type.Literal(value))) as never;
}
