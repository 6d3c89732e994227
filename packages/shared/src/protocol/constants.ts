/**
 * The protocol's numbers and literals that code reads at run time. They live apart from the
 * TypeBox schemas (which import them) so that a process can use them without loading TypeBox:
 * the schemas are compiled to validators at build time (src/generated/).
 */
import type { ControlOp } from './control.js';

/** Bumped on any incompatible change; `hello` carries it and the watchdog refuses a mismatch. */
export const PROTOCOL_VERSION = 1;

/** The longest line either side accepts; a peer that sends more is disconnected. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** An agent's warnings are few and short: a status line each, never a log. */
export const MAX_WARNINGS = 5;
export const MAX_WARNING_CHARS = 240;

/** A heartbeat names at most this many checks; `health.checks.total` still counts them all. */
export const MAX_REPORTED_CHECKS = 64;
export const MAX_CHECK_SUMMARY_CHARS = 200;

/** A random UUID (embedded mode) or a systemd invocation id (32 hex digits). */
export const INSTANCE_TOKEN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;

/** Operations the read-only status socket serves; everything else needs the control socket. */
export const READ_ONLY_OPS: readonly ControlOp[] = ['status', 'history'];

/** The id of a refusal that answers the connection itself (too many open), before any request. */
export const CONNECTION_REFUSAL_ID = '*';

/** The values of the literal unions that code iterates (a metric per value, a completion word). */
export const SIGNAL_KINDS = [
  'exit',
  'no-hello',
  'heartbeat-lost',
  'process-stopped',
  'memory',
  'memory-ceiling',
  'cpu',
  'self-failing',
  'event-loop-lag',
  'operator',
] as const;
export const RUNGS = ['soft', 'medium', 'hard'] as const;
export const INCIDENT_OUTCOMES = ['resolved', 'restarted', 'failed', 'aborted'] as const;
export const AGENT_LIFECYCLES = ['starting', 'ready', 'degraded', 'stopping'] as const;
export const FAULT_NAMES = [
  'hang',
  'stop-heartbeat',
  'slow-heartbeat',
  'leak',
  'bloat',
  'cpu',
  'crash',
  'fail-health',
  'clear',
] as const;
export const AGENT_STATES = [
  'starting',
  'healthy',
  'degraded',
  'unresponsive',
  'recovering',
  'stopped',
  'failed',
] as const;
