export {
  type Clock,
  createSystemClock,
  hostMonotonicMs,
  MAX_TIMER_MS,
  systemClock,
  type TimerHandle,
} from './clock.js';
export * from './core.js';
export { type DecodeOutcome, NdjsonDecoder } from './framing/ndjson-decoder.js';
export { attachNdjson, type NdjsonSocket, type NdjsonSocketOptions } from './framing/ndjson-socket.js';
export { assertHomeSafe, findHomeProblems, type HomeProblem } from './fs/home-safety.js';
export {
  appendFileSafe,
  type EnsureDirOptions,
  ensureDir,
  openAppend,
  type PlantedLinkReporter,
  type ReadInsideOptions,
  readRegularFileInside,
  type SafeOpenOptions,
  type WriteAtomicOptions,
  writeAll,
  writeFileAtomic,
} from './fs/safe-files.js';
export { foldIncidents } from './history/fold-incidents.js';
export { parseIncidentEvent, type ReadHistoryResult, readHistory } from './history/read-history.js';
export { type BackoffShape, backoffDelay } from './http/backoff.js';
export { type Deadline, deadline, settledWithin, sleep } from './http/clock-timeouts.js';
export {
  DEFAULT_DELIVERY,
  type DeliverJsonOptions,
  type DeliveryOptions,
  deliverJson,
} from './http/deliver-json.js';
export { type PostJsonOptions, postJson } from './http/post-json.js';
export { type BackoffOptions, GiveUp, retryWithBackoff } from './http/retry-with-backoff.js';
export { type CreateLoggerOptions, createLogger, type Logger, type VigilComponent } from './logger.js';
export { FdDestination, type FdDestinationOptions, type WriteFn } from './logging/fd-destination.js';
export { formatHumanLine } from './logging/human-line.js';
export {
  LogFileDestination,
  type LogFileDestinationOptions,
  type LogRotation,
} from './logging/log-file-destination.js';
export {
  DEFAULT_REPEAT_LIMIT,
  RepeatCounter,
  type RepeatLimit,
  repeatLimitHook,
  type SuppressedRun,
  summaryMessage,
} from './logging/repeat-limiter.js';
export { rotatedName, shiftRotated } from './logging/rotated-names.js';
export {
  isSupportedVersion,
  parseAgentMessage,
  parseAgentPidRecord,
  parseControlRequest,
  parseFaultSpec,
  parseWatchdogMessage,
} from './protocol/parse.js';
export { describeValue, formatAjvErrors, suggestKey, toDottedPath } from './schema/format-errors.js';
export {
  isAnswering,
  type ListenUnixOptions,
  listenUnix,
  MAX_SOCKET_PATH_BYTES,
} from './sockets/listen-unix.js';
export { socketPresent } from './sockets/socket-present.js';
export { checkIncidents } from './status/check-incidents.js';
