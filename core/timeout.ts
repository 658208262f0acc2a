/**
 * Waits for `p` at most `ms`; on time-out resolves to `fallback`. The timer is not
 * unref'd on purpose: a close or cleanup that never settles must not let the process drain
 * its event loop and exit silently.
 */
export async function withTimeout<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<F>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
