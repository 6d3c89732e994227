/**
 * Validation at the socket boundary: each message is routed by its `type` (and `cmd` or `op`)
 * to exactly one schema, so an error names the field that is wrong rather than listing every
 * shape the message could have had.
 */
import * as agent from '../generated/agent-messages.js';
import { agentPidRecord } from '../generated/agent-pid-record.js';
import * as control from '../generated/control-requests.js';
import * as watchdog from '../generated/watchdog-messages.js';
// Never JSON.stringify a peer's value: 10 KB of nested brackets overflow the stack.
import { describeValue } from '../schema/format-errors.js';
import { type Parsed, type Validator, validatorOf } from '../schema/validator.js';
import type { AgentPidRecord } from './agent-pid-record.js';
import { PROTOCOL_VERSION } from './constants.js';
import type { ControlRequest } from './control.js';
import type { AgentMessage, CommandMessage, FaultSpec, WatchdogMessage } from './messages.js';

export { parseControlResponse } from './parse-control-response.js';

// The validators are generated at build time from the schemas in ./messages.ts and ./control.ts
// (scripts/generate-validators.ts); each table is built on first use.
type Table<T> = Record<string, Validator<T>>;

function lazyTable<T>(build: () => Table<T>): () => Table<T> {
  let table: Table<T> | undefined;
  return () => {
    table ??= build();
    return table;
  };
}

const agentMessages = lazyTable<AgentMessage>(() => ({
  hello: validatorOf(agent.hello, 'hello'),
  heartbeat: validatorOf(agent.heartbeat, 'heartbeat'),
  result: validatorOf(agent.result, 'result'),
}));

const commands = lazyTable<CommandMessage>(() => ({
  recover: validatorOf(watchdog.recoverCommand, 'command'),
  restore: validatorOf(watchdog.restoreCommand, 'command'),
  ping: validatorOf(watchdog.pingCommand, 'command'),
  fault: validatorOf(watchdog.faultCommand, 'command'),
  maintenance: validatorOf(watchdog.maintenanceCommand, 'command'),
}));

const welcome = lazyTable<WatchdogMessage>(() => ({
  welcome: validatorOf(watchdog.welcome, 'welcome'),
}));

const controlRequests = lazyTable<ControlRequest>(() => ({
  status: validatorOf(control.statusRequest, 'request'),
  history: validatorOf(control.historyRequest, 'request'),
  recover: validatorOf(control.recoverRequest, 'request'),
  restore: validatorOf(control.restoreRequest, 'request'),
  pause: validatorOf(control.pauseRequest, 'request'),
  resume: validatorOf(control.resumeRequest, 'request'),
  fault: validatorOf(control.faultRequest, 'request'),
}));

let faultSpec: Validator<FaultSpec> | undefined;
let pidRecord: Validator<AgentPidRecord> | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function route<T>(value: unknown, key: string, table: Table<T>, what: string): Parsed<T> {
  if (!isRecord(value)) return { ok: false, errors: [`${what}: must be a JSON object`] };
  const name = value[key];
  const schema = typeof name === 'string' && Object.hasOwn(table, name) ? table[name] : undefined;
  if (!schema) {
    const choices = Object.keys(table)
      .map((k) => JSON.stringify(k))
      .join(', ');
    return {
      ok: false,
      errors: [`${what}.${key}: must be one of ${choices}, got ${describeValue(name)}`],
    };
  }
  return schema(value);
}

/** Checks `v` before the shape, so that a peer of another version is told so plainly. */
function checkVersion(value: unknown, what: string): string | undefined {
  if (isRecord(value) && 'v' in value && value.v !== PROTOCOL_VERSION) {
    return `${what}.v: protocol version ${describeValue(value.v)} is not supported (this side speaks ${PROTOCOL_VERSION})`;
  }
  return undefined;
}

export function parseAgentMessage(value: unknown): Parsed<AgentMessage> {
  const version = checkVersion(value, 'message');
  if (version) return { ok: false, errors: [version] };
  return route(value, 'type', agentMessages(), 'message');
}

export function parseWatchdogMessage(value: unknown): Parsed<WatchdogMessage> {
  const version = checkVersion(value, 'message');
  if (version) return { ok: false, errors: [version] };
  if (isRecord(value) && value.type === 'command') {
    return route(value, 'cmd', commands(), 'command');
  }
  return route(value, 'type', welcome() as Table<WatchdogMessage>, 'message');
}

export function parseControlRequest(value: unknown): Parsed<ControlRequest> {
  const version = checkVersion(value, 'request');
  if (version) return { ok: false, errors: [version] };
  if (isRecord(value) && value.type !== 'request') {
    return {
      ok: false,
      errors: [`request.type: must be "request", got ${describeValue(value.type)}`],
    };
  }
  return route(value, 'op', controlRequests(), 'request');
}

/** A fault to inject (the SDK's `injectFault`, which fills the spec's defaults in place). */
export function parseFaultSpec(value: unknown): Parsed<FaultSpec> {
  faultSpec ??= validatorOf(watchdog.faultSpec, 'fault');
  return faultSpec(value);
}

/** The record line of `run/agent.pid`. */
export function parseAgentPidRecord(value: unknown): Parsed<AgentPidRecord> {
  pidRecord ??= validatorOf(agentPidRecord);
  return pidRecord(value);
}

/** True when `v` of a hello matches ours; the watchdog answers a mismatch with a refusal. */
export function isSupportedVersion(v: unknown): boolean {
  return v === PROTOCOL_VERSION;
}
