/**
 * How fast one control connection may ask: a token bucket on monotonic time. `burst` requests
 * at once, then `perSecond`; a CLI asks once, a monitoring script a few times a second.
 */
export class RequestRate {
  readonly #perSecond: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, burst: number, now: number) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one request's token; false when the connection is over its rate. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#perSecond) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
