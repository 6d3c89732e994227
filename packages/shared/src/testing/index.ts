/** What tests of every package share: a fake clock, and the machine's pace for duration bounds. */
export { FakeClock } from './fake-clock.js';
export { machineSlowdown, nodeStartMs, paced, QUIET_NODE_START_MS } from './machine-pace.js';
