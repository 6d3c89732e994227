/**
 * One control request answered: checked against the protocol, refused on the read-only socket
 * unless it only reads, then handled; every failure becomes an error response naming it.
 */
import {
  type ControlRequest,
  type ControlResponse,
  isVigilError,
  type Logger,
  PROTOCOL_VERSION,
  parseControlRequest,
  READ_ONLY_OPS,
} from '@vigil/shared';
import { watchdogErrors } from '../errors.js';

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

export async function answerRequest(
  value: unknown,
  readOnly: boolean,
  handle: ControlHandler,
  logger: Logger,
): Promise<ControlResponse> {
  const id = requestId(value);
  const parsed = parseControlRequest(value);
  if (!parsed.ok)
    return refusal(id, `invalid request: ${parsed.errors.join('; ')}`, undefined, 'VIGIL_MESSAGE_INVALID');
  const request = parsed.value;
  if (readOnly && !READ_ONLY_OPS.includes(request.op)) {
    return refusal(
      id,
      `"${request.op}" is not allowed on the read-only status socket`,
      'Run it as the service user (or root), which can use the control socket.',
    );
  }
  try {
    const data = await handle(request);
    return { v: PROTOCOL_VERSION, type: 'response', id: request.id, ok: true, data: data ?? null };
  } catch (error) {
    if (isVigilError(error)) return refusal(id, error.message, error.hint, error.code);
    logger.error({ err: error, op: request.op }, 'control request failed');
    const unexpected = watchdogErrors.create(
      'VIGIL_OPERATOR_REFUSED',
      `"${request.op}" failed: ${(error as Error).message}`,
    );
    return refusal(id, unexpected.message, unexpected.hint);
  }
}

/** The id a request carries, so even a refusal can be matched by the client. */
export function requestId(value: unknown): string {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
    ? (value as { id: string }).id.slice(0, 64) || 'unknown'
    : 'unknown';
}

export function refusal(
  id: string,
  message: string,
  hint?: string | undefined,
  code = 'VIGIL_OPERATOR_REFUSED',
): ControlResponse {
  return {
    v: PROTOCOL_VERSION,
    type: 'response',
    id,
    ok: false,
    error: { code, message, ...(hint ? { hint } : {}) },
  };
}
