/** What tests of every package share: a fake clock, the machine's pace for duration bounds, child processes. */
export { ChildProcesses, jsonLines, type SpawnedChild } from './child-processes.js';
export { FakeClock } from './fake-clock.js';
export { machineSlowdown, nodeStartMs, paced, QUIET_NODE_START_MS } from './machine-pace.js';
export { quietLogger } from './quiet-logger.js';
export { resolvePackageImport } from './resolve-package-import.js';
export { type StaticImportGraph, staticImportGraph } from './static-import-graph.js';
export { type Probe, waitFor } from './wait-for.js';
