/**
 * The control protocol: `vigil` CLI → watchdog over `run/control.sock` (all operations) or
 * `run/status.sock` (read-only operations, for operators in the vigil group).
 */
import { type Static, type TProperties, Type } from '@sinclair/typebox';
import { PROTOCOL_VERSION } from './constants.js';
import { FaultSpec } from './messages.js';

const Version = Type.Literal(PROTOCOL_VERSION);
const Id = Type.String({ minLength: 1, maxLength: 64 });

const request = <Op extends string, P extends TProperties>(op: Op, props: P) =>
  Type.Object(
    { v: Version, type: Type.Literal('request'), id: Id, op: Type.Literal(op), ...props },
    { additionalProperties: false },
  );

export const StatusRequest = request('status', {});
export const HistoryRequest = request('history', {
  n: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export const RecoverRequest = request('recover', {
  level: Type.Union([Type.Literal('soft'), Type.Literal('medium'), Type.Literal('hard')]),
});
export const RestoreRequest = request('restore', {});
export const PauseRequest = request('pause', {
  /** Maintenance length; absent means until `resume`. */
  forMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600 * 1000 })),
});
export const ResumeRequest = request('resume', {});
export const FaultRequest = request('fault', { fault: FaultSpec });

export type StatusRequest = Static<typeof StatusRequest>;
export type HistoryRequest = Static<typeof HistoryRequest>;
export type RecoverRequest = Static<typeof RecoverRequest>;
export type RestoreRequest = Static<typeof RestoreRequest>;
export type PauseRequest = Static<typeof PauseRequest>;
export type ResumeRequest = Static<typeof ResumeRequest>;
export type FaultRequest = Static<typeof FaultRequest>;
export type ControlRequest =
  | StatusRequest
  | HistoryRequest
  | RecoverRequest
  | RestoreRequest
  | PauseRequest
  | ResumeRequest
  | FaultRequest;
export type ControlOp = ControlRequest['op'];

export const ControlError = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    hint: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ControlResponse = Type.Union([
  Type.Object(
    {
      v: Version,
      type: Type.Literal('response'),
      id: Id,
      ok: Type.Literal(true),
      data: Type.Unknown(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      v: Version,
      type: Type.Literal('response'),
      id: Id,
      ok: Type.Literal(false),
      error: ControlError,
    },
    { additionalProperties: false },
  ),
]);
export type ControlResponse = Static<typeof ControlResponse>;
