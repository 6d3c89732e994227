/** What a detector tells the supervisor: a threshold crossed, cleared, or (memory) a trend. */
import type { SignalKind } from '@vigil/shared';

export type DetectorEvent =
  | { type: 'signal'; kind: SignalKind; detail: string }
  | { type: 'cleared'; kind: SignalKind }
  | { type: 'trend'; kind: SignalKind; rising: boolean };

export type EmitDetectorEvent = (event: DetectorEvent) => void;
