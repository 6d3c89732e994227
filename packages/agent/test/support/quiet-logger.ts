import { createLogger, type Logger } from '@vigil/shared';

/** In-process agents in tests log nothing: assertions look at the socket, not at the log. */
export function quietLogger(): Logger {
  return createLogger({ component: 'agent', level: 'silent' });
}
