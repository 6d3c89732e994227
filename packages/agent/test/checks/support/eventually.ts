/** Retries an async probe until it returns something, with a deadline; never a fixed sleep. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 5000,
  what: () => string = () => 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what()} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
