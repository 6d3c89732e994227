/**
 * Text on its way to a terminal. Much of what vigil shows was written by someone else — the
 * agent's health summary, hello fields and log lines, check output, a config file's values — and
 * a raw ESC there would let it retitle the window, clear the screen or forge lines. Control
 * characters (C0, DEL, C1) and lone surrogates are written out visibly instead (`\x1b`, `\u009b`,
 * `\ud800`); newline is kept only where a view allows several lines.
 */

// One code point at a time (the `u` flag), so a surrogate matches only when it is lone.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, newline left out
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ud800-\udfff]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  const hex = code.toString(16).padStart(2, '0');
  return code < 0x80 ? `\\x${hex}` : `\\u${hex.padStart(4, '0')}`;
}

export interface PrintableOptions {
  /** Keep `\n` (a multi-line view); every other control character is still escaped. */
  newlines?: boolean;
}

/** `text` with every control character and lone surrogate written out visibly. */
export function printable(text: string, options: PrintableOptions = {}): string {
  const pattern = options.newlines ? UNSAFE_BUT_NEWLINE : UNSAFE;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, visible) : text;
}

/** Deeper than this, a value is cut short: data from a peer must not recurse without bound. */
const MAX_DEPTH = 32;

/**
 * A copy of `value` with `printable` applied to every string in it (keys too), for renderers
 * that take whole objects (a status snapshot, an incident, a log record) apart.
 */
export function printableDeep<T>(value: T, options: PrintableOptions = {}): T {
  return deep(value, options, 0) as T;
}

function deep(value: unknown, options: PrintableOptions, depth: number): unknown {
  if (typeof value === 'string') return printable(value, options);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => deep(item, options, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[printable(key, options)] = deep(item, options, depth + 1);
  }
  return out;
}

// JSON.stringify escapes C0 and lone surrogates but leaves DEL and C1 raw; inside a JSON string
// they may be written as \u escapes, so the output is the same JSON and safe on a terminal.
const RAW_IN_JSON = /[\u007f-\u009f]/g;

/** JSON text as JSON.stringify writes it, with DEL and C1 escaped too: still the same JSON. */
export function terminalJson(value: unknown, space?: number): string {
  return escapeJsonText(JSON.stringify(value, null, space) ?? 'null');
}

/** The same for JSON text already written (a log line as read): only its strings can hold them. */
export function escapeJsonText(json: string): string {
  return json.replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
