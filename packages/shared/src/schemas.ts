/**
 * @vigil/shared/schemas: the TypeBox schemas (protocol, control, status and pid files, incidents,
 * webhooks, the config file) and ajv's compiler over them. For build time and tests only: it
 * loads TypeBox and ajv's compiler (~8 MB), which no vigil process loads at run time; they use
 * the validators generated from these schemas (src/generated/, scripts/generate-validators.ts).
 */
export * from './config/schema.js';
export * from './protocol/agent-pid-record.js';
export * from './protocol/control.js';
export * from './protocol/incident.js';
export * from './protocol/messages.js';
export * from './protocol/status.js';
export * from './protocol/webhook.js';
export { AJV_OPTIONS, type CompiledSchema, compileSchema } from './schema/compile.js';
