/**
 * Waits for a promise that may be replaced while it is awaited (work appended to a chain as new
 * transitions arrive): resolves once the latest one has resolved and no newer one came.
 */
export async function settle(latest: () => Promise<unknown>): Promise<void> {
  for (;;) {
    const current = latest();
    await current;
    if (current === latest()) return;
  }
}
