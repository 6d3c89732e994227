/**
 * Validation at the socket boundary: each message is routed by its `type` (and `cmd` or `op`)
 * to exactly one schema, so an error names the field that is wrong rather than listing every
 * shape the message could have had.
 */
import { type CompiledSchema, compileSchema, type Parsed } from '../schema/compile.js';
// Never JSON.stringify a peer's value: 10 KB of nested brackets overflow the stack.
import { describeValue } from '../schema/format-errors.js';
import {
  type ControlRequest,
  ControlResponse,
  FaultRequest,
  HistoryRequest,
  PauseRequest,
  RecoverRequest,
  RestoreRequest,
  ResumeRequest,
  StatusRequest,
} from './control.js';
import {
  type AgentMessage,
  type CommandMessage,
  FaultCommand,
  HeartbeatMessage,
  HelloMessage,
  MaintenanceCommand,
  PingCommand,
  PROTOCOL_VERSION,
  RecoverCommand,
  RestoreCommand,
  ResultMessage,
  type WatchdogMessage,
  WelcomeMessage,
} from './messages.js';

type Table<T> = Record<string, CompiledSchema<T>>;

function lazyTable<T>(build: () => Table<T>): () => Table<T> {
  let table: Table<T> | undefined;
  return () => {
    table ??= build();
    return table;
  };
}

const agentMessages = lazyTable<AgentMessage>(() => ({
  hello: compileSchema(HelloMessage, 'hello'),
  heartbeat: compileSchema(HeartbeatMessage, 'heartbeat'),
  result: compileSchema(ResultMessage, 'result'),
}));

const commands = lazyTable<CommandMessage>(() => ({
  recover: compileSchema(RecoverCommand, 'command'),
  restore: compileSchema(RestoreCommand, 'command'),
  ping: compileSchema(PingCommand, 'command'),
  fault: compileSchema(FaultCommand, 'command'),
  maintenance: compileSchema(MaintenanceCommand, 'command'),
}));

const welcome = lazyTable<WatchdogMessage>(() => ({
  welcome: compileSchema(WelcomeMessage, 'welcome'),
}));

const controlRequests = lazyTable<ControlRequest>(() => ({
  status: compileSchema(StatusRequest, 'request'),
  history: compileSchema(HistoryRequest, 'request'),
  recover: compileSchema(RecoverRequest, 'request'),
  restore: compileSchema(RestoreRequest, 'request'),
  pause: compileSchema(PauseRequest, 'request'),
  resume: compileSchema(ResumeRequest, 'request'),
  fault: compileSchema(FaultRequest, 'request'),
}));

let controlResponse: CompiledSchema<ControlResponse> | undefined;

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

export function parseControlResponse(value: unknown): Parsed<ControlResponse> {
  controlResponse ??= compileSchema(ControlResponse, 'response');
  return controlResponse(value);
}

/** True when `v` of a hello matches ours; the watchdog answers a mismatch with a refusal. */
export function isSupportedVersion(v: unknown): boolean {
  return v === PROTOCOL_VERSION;
}
