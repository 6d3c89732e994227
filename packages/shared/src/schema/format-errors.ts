/**
 * Turns ajv errors into lines an operator can act on: the path in dotted form, the problem in
 * words, and what was given. `watchdog.heartbeat.timeoutMs: must be >= 1, got 0`.
 */
import type { ErrorObject } from 'ajv';

/** `/a/b/0/c` → `a.b[0].c`; a prefix names the root (a message type, or nothing for a file). */
export function toDottedPath(instancePath: string, prefix = ''): string {
  let out = prefix;
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(root)';
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + cost);
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/** The closest known key to a misspelt one, if it is close enough to be a likely typo. */
export function suggestKey(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const key of known) {
    const d = levenshtein(given, key);
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

interface SchemaLike {
  const?: unknown;
  properties?: Record<string, unknown>;
}

function literalChoices(branches: unknown): unknown[] | undefined {
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const values: unknown[] = [];
  for (const branch of branches as SchemaLike[]) {
    if (!branch || !('const' in branch)) return undefined;
    values.push(branch.const);
  }
  return values;
}

/**
 * Formats ajv errors (compiled with `verbose: true` so that the data and schema are attached).
 * Errors raised inside a failed `anyOf` are folded into one line for that `anyOf`.
 */
export function formatAjvErrors(errors: readonly ErrorObject[], prefix = ''): string[] {
  // A union of literals ("soft" | "medium") is reported once, as its list of choices; the
  // per-branch "must be equal to constant" errors under it would only repeat that.
  const literalUnions = errors
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && literalChoices(e.schema))
    .map((e) => `${e.schemaPath}/`);
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (literalUnions.some((p) => error.schemaPath.startsWith(p))) continue;
    const line = formatOne(error, prefix);
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  return lines;
}

function formatOne(error: ErrorObject, prefix: string): string {
  const path = toDottedPath(error.instancePath, prefix);
  const got = `, got ${describeValue(error.data)}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${joinKey(path, String(params.missingProperty))}: is required`;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as SchemaLike | undefined)?.properties ?? {});
      const suggestion = suggestKey(key, known);
      const tail = suggestion
        ? ` (did you mean "${suggestion}"?)`
        : known.length
          ? ` (known keys: ${known.join(', ')})`
          : '';
      return `${joinKey(path, key)}: unknown key${tail}`;
    }
    case 'anyOf':
    case 'oneOf': {
      const choices = literalChoices(error.schema);
      if (choices) return `${path}: must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}${got}`;
      return `${path}: does not match any allowed shape${got}`;
    }
    case 'discriminator': {
      // ajv reports an unknown tag value ("type: ping") here; list the tags the branches accept.
      const tag = String(params.tag);
      const branches = (error.parentSchema as { oneOf?: SchemaLike[] } | undefined)?.oneOf ?? [];
      const tags = branches.map((b) => (b.properties?.[tag] as SchemaLike | undefined)?.const);
      const value = (error.data as Record<string, unknown> | undefined)?.[tag];
      return `${joinKey(path, tag)}: must be one of ${tags.map((t) => JSON.stringify(t)).join(', ')}, got ${describeValue(value)}`;
    }
    case 'const':
      return `${path}: must be ${JSON.stringify(params.allowedValue)}${got}`;
    case 'enum':
      return `${path}: must be one of ${(params.allowedValues as unknown[]).map((c) => JSON.stringify(c)).join(', ')}${got}`;
    case 'type':
      return `${path}: must be ${withArticle(String(params.type))}${got}`;
    default:
      return `${path}: ${error.message ?? 'is invalid'}${got}`;
  }
}

function joinKey(path: string, key: string): string {
  return path === '(root)' ? key : `${path}.${key}`;
}

function withArticle(type: string): string {
  const words: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'an object (a mapping of keys)',
    array: 'a list',
    null: 'null',
  };
  return type
    .split(',')
    .map((t) => words[t] ?? t)
    .join(' or ');
}
