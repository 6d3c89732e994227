/**
 * Keeps a misbehaving peer from filling the disk through the watchdog's log: at most `perWindow`
 * lines per window for one kind of event, then one line saying how many were suppressed.
 */
import { type Clock, type Logger, systemClock } from '@vigil/shared';

export class LogThrottle {
  #windowStart = Number.NEGATIVE_INFINITY;
  #count = 0;
  #suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = 5,
    private readonly windowMs = 10_000,
    private readonly clock: Clock = systemClock,
  ) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.clock.now();
    if (now - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0) {
        this.logger.warn({ suppressed: this.#suppressed }, 'similar warnings were suppressed');
      }
      this.#windowStart = now;
      this.#count = 0;
      this.#suppressed = 0;
    }
    if (this.#count++ < this.perWindow) this.logger.warn(fields, message);
    else this.#suppressed++;
  }
}
