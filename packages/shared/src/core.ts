/**
 * @vigil/shared/core: what a short-lived command needs — errors, paths, the protocol's types and
 * constants, printable text, the status file and one control request with its checked answer.
 * No logging, retry, HTTP or the socket protocol's other validators: `vigil status` loads this
 * and not the whole package. The package's main entry re-exports all of it.
 */

export { type RequestBody, sendRequest } from './client/request.js';
export {
  defineErrors,
  describeError,
  type ErrorDefinition,
  isVigilError,
  sharedErrors,
  VigilError,
  type VigilErrorOptions,
} from './errors.js';
export { isStartMark, START_MARK, startMarkLine } from './logging/start-mark.js';
export { describeOsError, isOsError, type OsError } from './os-error.js';
export { packageVersion } from './package-version.js';
export {
  defaultHome,
  detectMode,
  findCheckout,
  type ResolvePathsOptions,
  resolvePaths,
  type VigilPaths,
} from './paths.js';
export type * from './protocol/agent-pid-record.js';
// The protocol's types; its schemas (TypeBox) are in @vigil/shared/schemas, for build time and
// tests. Run-time code validates with the validators generated from them (src/generated/).
export * from './protocol/constants.js';
export type * from './protocol/control.js';
export type * from './protocol/incident.js';
export type * from './protocol/messages.js';
export { parseControlResponse } from './protocol/parse-control-response.js';
export type * from './protocol/status.js';
export type * from './protocol/webhook.js';
export {
  codePointLength,
  type GeneratedValidator,
  type Parsed,
  type Validator,
  validatorOf,
} from './schema/validator.js';
export {
  type Checked,
  checkStatus,
  readStatusFile,
  type StatusRead,
} from './status/read-status.js';
export {
  escapeJsonText,
  type PrintableOptions,
  printable,
  printableDeep,
  terminalJson,
} from './text/terminal-text.js';
