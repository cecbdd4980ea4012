/** Node timers overflow past 2^31-1 ms (they fire at once); longer delays are re-armed in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface Timer {
  cancel(): void;
}

export function setLongTimeout(delayMs: number, onFire: () => void): Timer {
  const due = Date.now() + delayMs;
  let handle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = due - Date.now();
    handle = left > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(onFire, Math.max(0, left));
  };
  arm();
  return { cancel: () => clearTimeout(handle) };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
