/**
 * Waits for what a test expects, with a deadline: never a fixed sleep. The probe is polled until
 * it returns something other than undefined, null or false (a promise is awaited), and that is
 * what waitFor resolves with; past the deadline it rejects, naming what it waited for.
 */
export type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

export async function waitFor<T>(
  probe: Probe<T>,
  timeoutMs = 5000,
  what: string | (() => string) = 'condition',
  everyMs = 10,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
