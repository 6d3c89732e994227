/** crash: exits at once with the given code, as an uncaught error would. */
import type { StartFault } from './fault-types.js';

export const startCrash: StartFault = (spec, { logger }) => {
  const code = spec.exitCode ?? 1;
  return {
    did: [`crash: exiting with code ${code}`],
    afterReply: () => {
      logger.fatal({ exitCode: code }, 'fault injection: crashing');
      process.exit(code);
    },
  };
};
