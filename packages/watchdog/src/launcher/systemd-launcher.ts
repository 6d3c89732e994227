/**
 * systemd mode: the agent is its own unit (vigil-agent.service) and the watchdog drives it with
 * systemctl through execa. The agent's pid is the unit's MainPID; its exit is seen by watching
 * that pid in /proc (not our child); systemd kills the whole cgroup on stop (KillMode=control-group),
 * so nothing escapes a hard stop. The unit's own Restart=on-failure is only the last line of
 * defence for when the watchdog itself is down.
 */
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { watchdogErrors } from '../errors.js';
import type { KillTreeOutcome } from '../process/kill-tree.js';
import type { AgentPidRecord } from '../process/pid-file.js';
import { isSameProcessAlive, readCmdline, readProcStat } from '../process/proc-stat.js';
import { guardedSignal, type SignalVerdict } from '../process/signal-guard.js';
import type { AgentExit, AgentLauncher, LaunchedAgent, StopOptions } from './launcher.js';

export interface SystemdLauncherOptions {
  unit: string;
  systemctl?: string;
  /** How long to wait for the unit to report a MainPID after start. */
  startTimeoutMs?: number;
  pollMs?: number;
}

type UnitProperties = Record<string, string>;

/** `15` → `SIGTERM`, as the embedded launcher reports it. */
function signalName(signo: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === signo)?.[0] ?? `signal ${signo}`;
}

export class SystemdLauncher implements AgentLauncher {
  readonly kind = 'systemd' as const;
  readonly #o: SystemdLauncherOptions;
  readonly #events = new EventEmitter<{ exit: [AgentExit, LaunchedAgent] }>();
  #agent: LaunchedAgent | null = null;
  #poll: NodeJS.Timeout | undefined;

  constructor(options: SystemdLauncherOptions) {
    this.#o = options;
  }

  async #systemctl(...args: string[]) {
    return execa(this.#o.systemctl ?? 'systemctl', args, { reject: false, timeout: 30_000 });
  }

  async #show(...properties: string[]): Promise<UnitProperties> {
    const result = await this.#systemctl('show', this.#o.unit, ...properties.map((p) => `--property=${p}`));
    const out: UnitProperties = {};
    for (const line of String(result.stdout).split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
    }
    return out;
  }

  current(): LaunchedAgent | null {
    return this.#agent;
  }

  onExit(listener: (exit: AgentExit, agent: LaunchedAgent) => void): void {
    this.#events.on('exit', listener);
  }

  async start(): Promise<LaunchedAgent> {
    const result = await this.#systemctl('start', this.#o.unit);
    if (result.failed) {
      throw watchdogErrors.create(
        'VIGIL_AGENT_START_FAILED',
        `systemctl start ${this.#o.unit} failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
        { hint: `See \`journalctl -u ${this.#o.unit}\`.` },
      );
    }
    const deadline = Date.now() + (this.#o.startTimeoutMs ?? 10_000);
    for (;;) {
      const props = await this.#show('MainPID', 'InvocationID');
      const pid = Number(props.MainPID);
      if (pid > 0) return this.#watch(pid, props.InvocationID ?? '', false);
      if (Date.now() > deadline) {
        throw watchdogErrors.create(
          'VIGIL_AGENT_START_FAILED',
          `${this.#o.unit} started but reports no MainPID`,
        );
      }
      await sleep(50);
    }
  }

  async adoptRunning(
    _record: AgentPidRecord | null,
  ): Promise<{ agent: LaunchedAgent | null; reason: string }> {
    const props = await this.#show('ActiveState', 'MainPID', 'InvocationID');
    const pid = Number(props.MainPID);
    if (props.ActiveState !== 'active' || !(pid > 0)) {
      return { agent: null, reason: `${this.#o.unit} is ${props.ActiveState ?? 'unknown'}` };
    }
    return {
      agent: this.#watch(pid, props.InvocationID ?? '', true),
      reason: `${this.#o.unit} is active (MainPID ${pid})`,
    };
  }

  #watch(pid: number, invocation: string, adopted: boolean): LaunchedAgent {
    const agent: LaunchedAgent = {
      pid,
      startTicks: readProcStat(pid)?.startTicks ?? 0,
      startedAt: Date.now(),
      cmdline: readCmdline(pid) ?? [],
      instance: invocation,
      adopted,
    };
    this.#agent = agent;
    clearInterval(this.#poll);
    let zombieSince: number | undefined;
    this.#poll = setInterval(() => {
      if (isSameProcessAlive(agent.pid, agent.startTicks)) return;
      // Until systemd reaps the zombie, ExecMainCode/ExecMainStatus still describe the previous run.
      if (readProcStat(agent.pid)?.state === 'Z') {
        zombieSince ??= Date.now();
        if (Date.now() - zombieSince < 1000) return;
      }
      clearInterval(this.#poll);
      void this.#show('ExecMainCode', 'ExecMainStatus').then((props) => {
        // ExecMainCode: 1 exited (status is the exit code), 2 killed, 3 dumped (status is the signal).
        const killed = props.ExecMainCode === '2' || props.ExecMainCode === '3';
        const status = Number(props.ExecMainStatus);
        if (this.#agent === agent) this.#agent = null;
        this.#events.emit(
          'exit',
          {
            pid: agent.pid,
            code: killed || Number.isNaN(status) ? null : status,
            signal: killed ? signalName(status) : null,
          },
          agent,
        );
      });
    }, this.#o.pollMs ?? 100);
    return agent;
  }

  signal(signal: NodeJS.Signals): SignalVerdict {
    const agent = this.#agent;
    if (!agent) return { outcome: 'gone', reason: 'no agent is running' };
    // systemd puts the invocation id in the unit's environment: proof for a root watchdog.
    return guardedSignal(
      { pid: agent.pid, startTicks: agent.startTicks, proof: `INVOCATION_ID=${agent.instance}` },
      signal,
    );
  }

  async stop(options: StopOptions): Promise<KillTreeOutcome> {
    const agent = this.#agent;
    // A stopped or hung agent cannot act on SIGTERM; systemd's stop would wait out TimeoutStopSec.
    if (options.graceMs === 0) await this.#systemctl('kill', '--signal=SIGKILL', this.#o.unit);
    const result = await this.#systemctl('stop', this.#o.unit);
    if (result.failed) {
      await this.#systemctl('kill', '--signal=SIGKILL', this.#o.unit);
    }
    if (agent) {
      const deadline = Date.now() + 5000;
      while (isSameProcessAlive(agent.pid, agent.startTicks) && Date.now() < deadline) await sleep(20);
    }
    const alive = agent && isSameProcessAlive(agent.pid, agent.startTicks);
    const how = !agent ? 'already-exited' : options.graceMs === 0 ? 'SIGKILL' : 'SIGTERM';
    return {
      how,
      killed: [],
      survivors: alive ? [{ pid: agent.pid, startTicks: agent.startTicks, name: 'vigil-agent' }] : [],
    };
  }

  async sweep(_exited: LaunchedAgent): Promise<KillTreeOutcome> {
    // KillMode=control-group: systemd has already killed what the agent left in its cgroup.
    return { how: 'already-exited', killed: [], survivors: [] };
  }

  close(): void {
    clearInterval(this.#poll);
  }
}
