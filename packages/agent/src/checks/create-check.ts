/**
 * Builds the check for a config entry, by `type`. Regular expressions are compiled here, so
 * a bad one fails when the config is applied, not at the first run.
 */
import type { CheckConfig } from '../config/checks-schema.js';
import { agentErrors } from '../errors.js';
import type { Check, CheckContext } from './check-result.js';
import { createCommandExitCheck } from './command-exit.js';
import { createDiskUsageCheck } from './disk-usage.js';
import { createFileIntegrityCheck } from './file-integrity.js';
import { createHttpEndpointCheck } from './http-endpoint.js';
import { createLoadAverageCheck } from './load-average.js';
import { createMemoryUsageCheck } from './memory-usage.js';
import { createProcessPresentCheck } from './process-present.js';
import { createSystemdUnitCheck, systemctlBinary } from './systemd-unit.js';
import { createTcpPortCheck } from './tcp-port.js';

function build(config: CheckConfig, context: CheckContext): Check {
  switch (config.type) {
    case 'disk':
      return createDiskUsageCheck(config);
    case 'memory':
      return createMemoryUsageCheck(config);
    case 'load':
      return createLoadAverageCheck(config);
    case 'process':
      return createProcessPresentCheck(config);
    case 'tcp':
      return createTcpPortCheck(config, context.clock);
    case 'http':
      return createHttpEndpointCheck(config, context);
    case 'command':
      return createCommandExitCheck(config);
    case 'file':
      return createFileIntegrityCheck(config, context.stateDir, context.clock);
    case 'systemd':
      return createSystemdUnitCheck(config, systemctlBinary(context.systemctl));
    default: {
      const unknown: { type?: unknown } = config;
      throw new Error(`unknown check type ${JSON.stringify(unknown.type)}`);
    }
  }
}

export function createCheck(config: CheckConfig, context: CheckContext): Check {
  try {
    return build(config, context);
  } catch (cause) {
    throw agentErrors.create(
      'VIGIL_CHECK_CONFIG_INVALID',
      `check "${config.name}" (${config.type}): ${(cause as Error).message}`,
      { cause, detail: { check: config.name } },
    );
  }
}
