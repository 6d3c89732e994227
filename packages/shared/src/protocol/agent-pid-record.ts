/**
 * `run/agent.pid`'s record, a file format of the contract: which process is the agent, so a
 * restarted watchdog can adopt it. The file's first line is the bare pid; the second this record.
 */
import { type Static, Type } from '@sinclair/typebox';
import { INSTANCE_TOKEN } from './constants.js';

/** Never pid 0 (our group) or 1 (init): neither can be an agent. */
const Pid = Type.Integer({ minimum: 2, maximum: Number.MAX_SAFE_INTEGER });

export const AgentPidRecord = Type.Object({
  pid: Pid,
  /** The process's start time in clock ticks since boot (/proc/PID/stat): a reused pid has another. */
  startTicks: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  /** Epoch ms at spawn. */
  startedAt: Type.Number({ minimum: 0 }),
  cmdline: Type.Array(Type.String({ pattern: '^[^\\u0000]*$' }), { minItems: 1 }),
  /** The environment token shared by every process of this start. */
  instance: Type.String({ pattern: INSTANCE_TOKEN.source }),
  watchdogPid: Pid,
});
export type AgentPidRecord = Static<typeof AgentPidRecord>;
