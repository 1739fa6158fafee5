/** Runs `check` until it passes or `withinMs` has gone by (then its last failure is thrown): for what a worker does in its own time. */
export async function eventually(check: () => Promise<void>, withinMs: number, pauseMs = 250): Promise<void> {
  const giveUp = Date.now() + withinMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > giveUp) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
