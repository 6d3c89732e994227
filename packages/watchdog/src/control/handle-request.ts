/**
 * Operator requests, turned into ladder events and replies: `recover`, `pause` and `resume` go
 * through the same table as any detector signal; `restore`, `fault` and the maintenance window
 * are commands to the agent; `status` and `history` are read from what the loop already holds.
 */
import type { ControlRequest, Incident, Logger, StatusSnapshot } from '@vigil/shared';
import { watchdogErrors } from '../errors.js';
import type { LadderEvent, OperatorOutcome } from '../ladder/ladder-events.js';
import type { LogThrottle } from '../logging/log-throttle.js';
import type { CommandChannel } from '../supervisor/command-channel.js';

/** The most incidents one history request is answered with. */
export const HISTORY_MAX = 500;
/** "Until resumed", as an epoch ms the agent's maintenance window understands. */
const FOREVER_MS = 8_640_000_000_000;

export interface RequestDeps {
  post(event: LadderEvent): OperatorOutcome | undefined;
  status(): Promise<StatusSnapshot>;
  recentIncidents(n: number): Incident[];
  commands: CommandChannel;
  faultsEnabled: boolean;
  logger: Logger;
  /** Joins and refusals come as fast as a script can ask: they are logged through this. */
  throttled: LogThrottle;
  wallNow(): number;
}

function answered(outcome: OperatorOutcome | undefined, what: string): OperatorOutcome {
  if (!outcome) throw new Error(`${what} was not answered`);
  return outcome;
}

async function tellMaintenance(deps: RequestDeps, untilMs: number): Promise<void> {
  try {
    await deps.commands.request({ cmd: 'maintenance', untilMs }, 3000);
  } catch (error) {
    // The agent may be down; the watchdog's own pause stands regardless.
    deps.logger.info(
      { err: (error as Error).message },
      'could not tell the agent about the maintenance window',
    );
  }
}

export async function handleRequest(request: ControlRequest, deps: RequestDeps): Promise<unknown> {
  switch (request.op) {
    case 'status':
      return deps.status();
    case 'history':
      // From memory: a request must never make the watchdog read the whole file.
      return deps.recentIncidents(Math.min(request.n ?? 20, HISTORY_MAX));
    case 'recover': {
      const outcome = answered(deps.post({ type: 'operator', level: request.level }), 'recover');
      const fields = { rung: request.level, ...outcome };
      if (outcome.accepted && !outcome.joined) deps.logger.info(fields, 'operator asked for recovery');
      else deps.throttled.warn(fields, `operator recovery ${outcome.joined ? 'joined' : 'refused'}`);
      if (!outcome.accepted) throw watchdogErrors.create('VIGIL_OPERATOR_REFUSED', outcome.detail);
      return outcome;
    }
    case 'restore': {
      const result = await deps.commands.request({ cmd: 'restore' }, 10_000);
      if (!result.ok) {
        throw watchdogErrors.create(
          'VIGIL_OPERATOR_REFUSED',
          `restore failed: ${result.error ?? 'no reason given'}`,
        );
      }
      return result;
    }
    case 'pause': {
      const outcome = answered(deps.post({ type: 'pause', forMs: request.forMs }), 'pause');
      if (!outcome.accepted) throw watchdogErrors.create('VIGIL_OPERATOR_REFUSED', outcome.detail);
      const until = request.forMs === undefined ? null : deps.wallNow() + request.forMs;
      deps.logger.warn(
        { forMs: request.forMs ?? null },
        'paused by the operator: no recovery actions until resume',
      );
      await tellMaintenance(deps, until ?? FOREVER_MS);
      return { paused: true, until };
    }
    case 'resume': {
      const outcome = answered(deps.post({ type: 'resume' }), 'resume');
      if (!outcome.accepted) throw watchdogErrors.create('VIGIL_OPERATOR_REFUSED', outcome.detail);
      deps.logger.warn('resumed by the operator');
      await tellMaintenance(deps, 0);
      return { paused: false };
    }
    case 'fault': {
      if (!deps.faultsEnabled) {
        throw watchdogErrors.create('VIGIL_OPERATOR_REFUSED', 'fault injection is disabled for this agent', {
          hint: 'Set agent.faults.enabled: true in the config (for tests and demos only) and restart the pair.',
        });
      }
      const result = await deps.commands.request({ cmd: 'fault', fault: request.fault }, 10_000);
      if (!result.ok) {
        throw watchdogErrors.create(
          'VIGIL_OPERATOR_REFUSED',
          `the agent refused the fault: ${result.error ?? ''}`,
        );
      }
      deps.logger.warn({ fault: request.fault }, 'fault injected by the operator');
      return result;
    }
  }
}
