import { createLogger, type Logger, type VigilComponent } from '../logger.js';

/** In-process components in tests log nothing: assertions look at sockets and files, not the log. */
export function quietLogger(component: VigilComponent = 'agent'): Logger {
  return createLogger({ component, level: 'silent' });
}
