/**
 * Requests waiting to start, handed out one at a time in fair turns: the two sockets alternate,
 * and on each socket the connections take turns (one with four waiting gets one, then the next
 * connection gets one). A flood on the status socket never keeps the operator's control socket
 * waiting, nor one greedy connection the others on its socket.
 */
export type Lane = 'control' | 'status';

export class RequestTurns<Owner> {
  readonly #jobs = new Map<Owner, (() => void)[]>();
  readonly #ready: Record<Lane, Owner[]> = { control: [], status: [] };
  /** The lane served last: the other one goes first next time. */
  #last: Lane = 'status';

  add(lane: Lane, owner: Owner, job: () => void): void {
    const jobs = this.#jobs.get(owner);
    if (jobs) {
      jobs.push(job);
      return;
    }
    this.#jobs.set(owner, [job]);
    this.#ready[lane].push(owner);
  }

  /** Forgets an owner's waiting jobs (its connection closed). */
  drop(lane: Lane, owner: Owner): void {
    if (!this.#jobs.delete(owner)) return;
    const ready = this.#ready[lane];
    ready.splice(ready.indexOf(owner), 1);
  }

  next(): (() => void) | undefined {
    const order: readonly Lane[] = this.#last === 'status' ? ['control', 'status'] : ['status', 'control'];
    for (const lane of order) {
      const owner = this.#ready[lane].shift();
      if (owner === undefined) continue;
      this.#last = lane;
      const jobs = this.#jobs.get(owner) ?? [];
      const job = jobs.shift();
      if (jobs.length) this.#ready[lane].push(owner);
      else this.#jobs.delete(owner);
      return job;
    }
    return undefined;
  }

  get waiting(): boolean {
    return this.#jobs.size > 0;
  }

  clear(): void {
    this.#jobs.clear();
    this.#ready.control.length = 0;
    this.#ready.status.length = 0;
  }
}
