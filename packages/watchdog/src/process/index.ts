/**
 * @vigil/watchdog/process: the watchdog's own proof of a process, for the CLI that stops it —
 * the home's lock names the watchdog, /proc must show that very process, and the one guarded
 * function sends the signal. Loads nothing else of the daemon.
 */
export { readLockOwner } from './lock-file.js';
export { isSameProcessAlive, readCmdline, readProcStat } from './proc-stat.js';
export { guardedSignal } from './signal-guard.js';
