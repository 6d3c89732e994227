import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { FullConfigSchema } from '../../src/config/checks-schema.ts';
import { loadConfigFile } from '../../src/config/full-config.ts';

test('the annotated example in docs/ is a valid config that exercises every check type', () => {
  const path = fileURLToPath(new URL('../../../../docs/vigil.example.yaml', import.meta.url));
  const { config } = loadConfigFile(path);
  const types = new Set(config.agent.checks.map((c) => c.type));
  assert.deepEqual([...types].sort(), [
    'command',
    'disk',
    'file',
    'http',
    'load',
    'memory',
    'process',
    'systemd',
    'tcp',
  ]);
  assert.equal(config.watchdog.resources.memory.maxRssBytes, 150 * 1024 * 1024);
  assert.deepEqual(config.log, { maxBytes: 10 * 1024 * 1024, keep: 5, tailLines: 20 });
});

/**
 * Every key path of the config schema: `watchdog.heartbeat.intervalMs`; for the checks, a key
 * every check type has as `agent.checks[].name`, one only some have as `agent.checks[disk].path`.
 * A record (agent.env, labels) is one key: what goes in it is the operator's.
 */
function schemaKeys(schema: Record<string, unknown>, path: string, out: Set<string>): Set<string> {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  const variants = (schema.oneOf ?? schema.anyOf) as Record<string, unknown>[] | undefined;
  if (
    variants?.every((v) => (v.properties as Record<string, { const?: unknown }> | undefined)?.type?.const)
  ) {
    const keysOf = (v: Record<string, unknown>) => Object.keys(v.properties as object);
    const common = keysOf(variants[0] as Record<string, unknown>).filter((key) =>
      variants.every((v) => keysOf(v).includes(key)),
    );
    for (const variant of variants) {
      const type = (variant.properties as Record<string, { const: string }>).type?.const;
      for (const [key, child] of Object.entries(
        variant.properties as Record<string, Record<string, unknown>>,
      )) {
        const at = common.includes(key) ? `${path}[].${key}` : `${path}[${type}].${key}`;
        out.add(at);
        schemaKeys(child, at, out);
      }
    }
    return out;
  }
  if (schema.type === 'array' && schema.items)
    return schemaKeys(schema.items as Record<string, unknown>, path, out);
  for (const [key, child] of Object.entries(properties ?? {})) {
    const at = path ? `${path}.${key}` : key;
    out.add(at);
    schemaKeys(child, at, out);
  }
  return out;
}

/** The key paths a parsed YAML document sets, named as schemaKeys names them. */
function documentKeys(value: unknown, path: string, out: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
      const type = (item as { type?: unknown }).type;
      for (const [key, child] of Object.entries(item)) {
        for (const at of [`${path}[].${key}`, `${path}[${String(type)}].${key}`]) {
          out.add(at);
          documentKeys(child, at, out);
        }
      }
    }
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      out.add(at);
      documentKeys(child, at, out);
    }
  }
  return out;
}

const COMMENTED_KEY = /^(\s*)# ?([A-Za-z_][A-Za-z0-9_]*:(\s|$).*)$/;

/** The keys of the example, set or shown as a commented line (`# command: [...]`), each with its line. */
function exampleKeys(text: string): { keys: Set<string>; commented: { line: number; names: string[] }[] } {
  const lines = text.split('\n');
  const keys = documentKeys(parseYaml(text), '', new Set());
  const commented: { line: number; names: string[] }[] = [];
  lines.forEach((line, index) => {
    const match = COMMENTED_KEY.exec(line);
    if (!match) return;
    // Uncommented alone, the line must still make a document: then it is a key, not prose.
    const trial = [...lines];
    trial[index] = `${match[1]}${match[2]}`;
    let parsed: unknown;
    try {
      parsed = parseYaml(trial.join('\n'));
    } catch {
      return;
    }
    const added = [...documentKeys(parsed, '', new Set())].filter((key) => !keys.has(key));
    for (const key of added) keys.add(key);
    // The line's own key is the shallowest added (a check's key is named two ways, see above).
    const depth = (key: string) => key.split('.').length;
    const shallowest = Math.min(...added.map(depth));
    commented.push({ line: index + 1, names: added.filter((key) => depth(key) === shallowest) });
  });
  return { keys, commented };
}

test('the annotated example shows every key of the config schema (a commented line counts)', () => {
  const path = fileURLToPath(new URL('../../../../docs/vigil.example.yaml', import.meta.url));
  const wanted = schemaKeys(FullConfigSchema as unknown as Record<string, unknown>, '', new Set());
  const { keys } = exampleKeys(readFileSync(path, 'utf8'));
  const missing = [...wanted].filter((key) => !keys.has(key));
  assert.deepEqual(
    missing,
    [],
    `keys of the schema missing from docs/vigil.example.yaml:\n${missing.join('\n')}`,
  );
});

test('every commented key in the example is a key of the schema (no typo shown to copy)', () => {
  const path = fileURLToPath(new URL('../../../../docs/vigil.example.yaml', import.meta.url));
  const wanted = schemaKeys(FullConfigSchema as unknown as Record<string, unknown>, '', new Set());
  const { commented } = exampleKeys(readFileSync(path, 'utf8'));
  assert.ok(commented.length > 0, 'the example has commented keys');
  const unknown = commented.filter(
    ({ names }) => names.length > 0 && !names.some((name) => wanted.has(name)),
  );
  assert.deepEqual(unknown, []);
});

test('the key walk finds what it should, so the two tests above can fail', () => {
  const wanted = schemaKeys(FullConfigSchema as unknown as Record<string, unknown>, '', new Set());
  for (const key of [
    'agent.env',
    'watchdog.systemd.agentUnit',
    'log.keep',
    'watchdog.recovery.operator.maxRestarts',
  ]) {
    assert.ok(wanted.has(key), key);
  }
  assert.ok(wanted.has('agent.checks[].name') && wanted.has('agent.checks[disk].path'));
  const { keys } = exampleKeys(
    'agent:\n  # command: ["x"]\n  faults: { enabled: false }\n# just prose: here\n',
  );
  assert.deepEqual([...keys].sort(), ['agent', 'agent.command', 'agent.faults', 'agent.faults.enabled']);
});
