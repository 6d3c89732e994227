/**
 * How the watchdog runs the agent. Two launchers, one interface: embedded (the watchdog spawns
 * the agent itself) and systemd (the agent is a unit the watchdog drives through systemctl).
 */
import type { LaunchMode } from '@vigil/shared';
import type { KillTreeOutcome } from '../process/kill-tree.js';
import type { AgentPidRecord } from '../process/pid-file.js';
import type { SignalVerdict } from '../process/signal-guard.js';

/** The agent as its pid file records it, less the watchdog that wrote it. */
export interface LaunchedAgent extends Omit<AgentPidRecord, 'watchdogPid'> {
  /** True when this watchdog found the agent running rather than starting it. */
  adopted: boolean;
}

export interface AgentExit {
  pid: number;
  /** null when unknown (an adopted agent is not our child, so its status cannot be read). */
  code: number | null;
  signal: string | null;
}

export interface LauncherNotice {
  level: 'debug' | 'info' | 'warn';
  fields: Record<string, unknown>;
  message: string;
}

export interface StopOptions {
  /** SIGTERM to SIGKILL; 0 kills at once. */
  graceMs: number;
}

export interface AgentLauncher {
  readonly kind: LaunchMode;
  /** Starts a new agent; rejects with VIGIL_AGENT_START_FAILED when it cannot be spawned. */
  start(): Promise<LaunchedAgent>;
  /**
   * Finds an agent left running by a previous watchdog and takes it over, so a restarted
   * watchdog never starts a duplicate; `agent` is null (with the reason) when there is none.
   */
  adoptRunning(record: AgentPidRecord | null): Promise<{ agent: LaunchedAgent | null; reason: string }>;
  /** Stops the agent and everything it started; resolves when nothing of it is left. */
  stop(options: StopOptions): Promise<KillTreeOutcome>;
  /** After the agent exited by itself: clears what it left behind. */
  sweep(exited: LaunchedAgent): Promise<KillTreeOutcome>;
  current(): LaunchedAgent | null;
  /** Sends a signal to the agent's main process (e.g. SIGUSR2 for a diagnostic report), guarded. */
  signal(signal: NodeJS.Signals): SignalVerdict;
  onExit(listener: (exit: AgentExit, agent: LaunchedAgent) => void): void;
  /**
   * systemd only: the agent was replaced by a process this watchdog did not start (an operator's
   * `systemctl restart` of the unit); `agent` is the new one, already watched.
   */
  onReplaced?(listener: (agent: LaunchedAgent, previous: LaunchedAgent | null) => void): void;
  /**
   * systemd only: a hello came from `pid`; re-reads the unit and, if `pid` is its MainPID,
   * adopts it (a replacement, as above). Resolves the adopted agent, or null.
   */
  recheck?(pid: number): Promise<LaunchedAgent | null>;
  /**
   * The watchdog is awake anyway (a heartbeat look): work of the launcher's own that falls due
   * within `withinMs` is done on this wakeup instead of one of its own.
   */
  rideWakeup?(withinMs: number): void;
  /** What the launcher has to say about how it runs the agent (a fallback, the tracked tree). */
  onNotice?(listener: (notice: LauncherNotice) => void): void;
  close(): void;
}
