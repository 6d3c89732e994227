/**
 * @vigil/watchdog: the daemon. `runWatchdog` is what `vigil-watchdog` and `vigil run` call;
 * `@vigil/watchdog/process` is how another program proves and signals a running watchdog.
 */
export {
  type RunWatchdogOptions,
  runHelp,
  runWatchdog,
  StartRefused,
  WATCHDOG_EXIT,
} from './daemon/run-watchdog.js';
export { WATCHDOG_VERSION } from './version.js';
