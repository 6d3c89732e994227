/**
 * Compiles vigil's TypeBox schemas into ajv standalone validators, written as source files under
 * packages/{shared,agent}/src/generated/. vigil's processes import those at run time, so neither
 * TypeBox (~5 MB resident) nor ajv's compiler (~3 MB, and a few ms per schema at every start)
 * loads in the daemon, the agent or the CLI.
 *
 *   pnpm generate                                     rewrite the files
 *   node --import tsx scripts/generate-validators.ts --check   exit 1 if one is stale
 *
 * test/generated-validators.test.ts runs the check, so a schema changed without regenerating
 * fails the suite. The output depends only on the schemas and the pinned ajv.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { FullConfigSchema } from '../packages/agent/src/config/checks-schema.ts';
import * as s from '../packages/shared/src/schemas.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Output {
  /** The file, from the repository root. */
  readonly path: string;
  /** Where the validator type is imported from, as seen from that file. */
  readonly validatorModule: string;
  readonly what: string;
  readonly schemas: Readonly<Record<string, TSchema>>;
}

const shared = (file: string, what: string, schemas: Record<string, TSchema>): Output => ({
  path: `packages/shared/src/generated/${file}.ts`,
  validatorModule: '../schema/validator.js',
  what,
  schemas,
});

/** One file per reader, so that each process loads only the validators it uses. */
export const OUTPUTS: readonly Output[] = [
  shared('agent-messages', "the agent's messages (protocol/messages.ts), read by the watchdog", {
    hello: s.HelloMessage,
    heartbeat: s.HeartbeatMessage,
    result: s.ResultMessage,
  }),
  shared(
    'watchdog-messages',
    "the watchdog's messages and fault specs (protocol/messages.ts), read by the agent",
    {
      welcome: s.WelcomeMessage,
      recoverCommand: s.RecoverCommand,
      restoreCommand: s.RestoreCommand,
      pingCommand: s.PingCommand,
      faultCommand: s.FaultCommand,
      maintenanceCommand: s.MaintenanceCommand,
      faultSpec: s.FaultSpec,
    },
  ),
  shared('control-requests', 'the control requests (protocol/control.ts), read by the watchdog', {
    statusRequest: s.StatusRequest,
    historyRequest: s.HistoryRequest,
    recoverRequest: s.RecoverRequest,
    restoreRequest: s.RestoreRequest,
    pauseRequest: s.PauseRequest,
    resumeRequest: s.ResumeRequest,
    faultRequest: s.FaultRequest,
  }),
  shared('control-response', 'the control response (protocol/control.ts), read by the CLI', {
    controlResponse: s.ControlResponse,
  }),
  shared('status-snapshot', 'the status file (protocol/status.ts)', {
    statusSnapshot: s.StatusSnapshot,
  }),
  shared('incident', 'an incident, as history answers (protocol/incident.ts)', {
    incident: s.Incident,
  }),
  shared('incident-event', "an incident log's event (protocol/incident.ts)", {
    incidentEvent: s.IncidentEvent,
  }),
  shared('agent-pid-record', "the agent pid file's record (protocol/agent-pid-record.ts)", {
    agentPidRecord: s.AgentPidRecord,
  }),
  shared(
    'config',
    'the config file as the watchdog reads it, every check taken as given (config/schema.ts)',
    {
      config: s.ConfigSchema,
    },
  ),
  {
    path: 'packages/agent/src/generated/config.ts',
    validatorModule: '@vigil/shared',
    what: "the config file as the agent reads it, with its checks' shapes (config/checks-schema.ts)",
    schemas: { fullConfig: FullConfigSchema },
  },
];

/**
 * ajv's standalone output still `require`s its run-time helpers even in ESM mode. Each one vigil's
 * schemas use is replaced by vigil's own ES module version, so no generated file pulls node's
 * CommonJS loader into a process that has no other use for it (the CLI). A helper not listed
 * here fails the generation below, to be added with a test against ajv's.
 */
const RUNTIME_HELPERS: Readonly<Record<string, string>> = {
  'ajv/dist/runtime/ucs2length': 'codePointLength',
};

function esmImports(code: string, validatorModule: string): string {
  const used = new Map<string, string>();
  const out = code.replace(
    /const (\w+) = require\("(ajv\/dist\/runtime\/[\w-]+)"\)\.default;\n?/g,
    (match, name: string, path: string) => {
      const helper = RUNTIME_HELPERS[path];
      if (!helper) return match;
      used.set(name, helper);
      return '';
    },
  );
  if (used.size === 0) return out;
  const names = [...used].map(([name, helper]) => `${helper} as ${name}`).join(', ');
  return `import { ${names} } from "${validatorModule}";\n${out}`;
}

/** The JSON Schema types a value has (an integer is a number too). */
function typesOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['number', 'integer'] : ['number'];
  if (typeof value === 'string' || typeof value === 'boolean') return [typeof value];
  return [];
}

/** A branch that is one primitive value and nothing else (its `type`, if any, is that value's). */
function isLiteral(branch: unknown): branch is { const: unknown; type?: unknown } {
  if (typeof branch !== 'object' || branch === null || Array.isArray(branch) || !('const' in branch))
    return false;
  const { const: value, type, ...rest } = branch as { const: unknown; type?: unknown };
  const types = typesOf(value);
  return (
    Object.keys(rest).length === 0 &&
    types.length > 0 &&
    (type === undefined || types.includes(type as string))
  );
}

/** What may stand beside an `anyOf` that is rewritten: annotations and a default, no other check. */
const BESIDE_A_LITERAL_UNION = new Set(['anyOf', 'default', 'description', 'title', '$comment', 'examples']);

/** Keywords whose value is data, not a schema: left exactly as written. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/**
 * TypeBox writes a union of literals ("soft" | "medium") as an `anyOf` of `const` branches, and
 * ajv generates a branch's worth of error handling for each (29 % of the status validator's
 * source). The same set as one `enum` accepts exactly the same values, and format-errors.ts
 * words both alike ("must be one of ..."). No `type` beside it: the enum implies the type, and a
 * second keyword would add a second error line for a value of another type. Only where that
 * holds: every branch one primitive (its `type`, if any, that value's), and nothing beside the
 * `anyOf` but annotations and a default — a sibling `enum`, `not` or `discriminator` would judge
 * or order errors differently once the two are merged.
 */
export function literalUnionsAsEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(literalUnionsAsEnums);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    out[key] = DATA_KEYWORDS.has(key) ? value : literalUnionsAsEnums(value);
  const branches = out.anyOf;
  if (!Array.isArray(branches) || branches.length < 2 || !branches.every(isLiteral)) return out;
  if (!Object.keys(out).every((key) => BESIDE_A_LITERAL_UNION.has(key))) return out;
  const { anyOf: _anyOf, ...rest } = out;
  return { ...rest, enum: branches.map((branch) => branch.const) };
}

function generate(output: Output): string {
  const ajv = new Ajv({ ...s.AJV_OPTIONS, code: { source: true, esm: true } });
  const refs: Record<string, string> = {};
  for (const [name, schema] of Object.entries(output.schemas)) {
    // The schema as written must compile: the rewrite below could otherwise make a schema ajv
    // refuses (a discriminator's tag needs a `const`) into one it takes.
    new Ajv(s.AJV_OPTIONS).compile(schema);
    ajv.addSchema(literalUnionsAsEnums(schema) as object, name);
    refs[name] = name;
  }
  let code = esmImports(standalone.default(ajv, refs).replace(/^"use strict";/, ''), output.validatorModule);
  if (/\brequire\(/.test(code)) throw new Error(`${output.path}: the generated code still calls require()`);
  code = code.replace(/export const (\w+) = (validate\d+);/g, 'export const $1: GeneratedValidator = $2;');
  return [
    '// @ts-nocheck',
    `// Generated by scripts/generate-validators.ts from ${output.what}: do not edit.`,
    '// `pnpm generate` rewrites it; test/generated-validators.test.ts fails while it is stale.',
    `import type { GeneratedValidator } from '${output.validatorModule}';`,
    code,
    '',
  ].join('\n');
}

/** Every output's path and the text it should hold. */
export function generateAll(): Map<string, string> {
  return new Map(OUTPUTS.map((output) => [output.path, generate(output)]));
}

/** The outputs whose file differs from what the schemas generate now. */
export function staleOutputs(): string[] {
  const stale: string[] = [];
  for (const [path, text] of generateAll()) {
    let current: string | undefined;
    try {
      current = readFileSync(`${root}/${path}`, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) stale.push(path);
  }
  return stale;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  if (process.argv.includes('--check')) {
    const stale = staleOutputs();
    if (stale.length) {
      console.error(`stale generated validators (run pnpm generate): ${stale.join(', ')}`);
      process.exit(1);
    }
  } else {
    for (const [path, text] of generateAll()) writeFileSync(`${root}/${path}`, text);
  }
}
