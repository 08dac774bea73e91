/*
 * One shutdown budget for every process. Kubernetes (terminationGracePeriodSeconds) and `pnpm start`
 * give a process about 10 s after SIGTERM; the budget keeps the sum of its steps under that:
 * draining requests or calls, then flushing telemetry, and a hard exit should a step hang anyway.
 */

/** How long requests or calls in flight may take to finish after SIGTERM. */
export const DRAIN_BUDGET_MS = 7000;
/** How long the last telemetry export may take; a collector that is gone or hung costs no more. */
export const TELEMETRY_FLUSH_BUDGET_MS = 2000;
/** After drain and flush: the logger's flush and the exit itself. */
const EXIT_MARGIN_MS = 500;

/**
 * Ends the process with exit code 1 once `drainMs` plus the flush budget have passed, whatever is still
 * pending (a socket that never closes, an exporter retrying). Unref'd: a process that finishes sooner
 * exits on its own terms. Returns the moment it fires, for the log line.
 */
export function armHardExit(drainMs: number = DRAIN_BUDGET_MS, onExpiry?: () => void): number {
  const afterMs = Math.max(drainMs, 0) + TELEMETRY_FLUSH_BUDGET_MS + EXIT_MARGIN_MS;
  const timer = setTimeout(() => {
    onExpiry?.();
    process.exit(1);
  }, afterMs);
  timer.unref();
  return afterMs;
}

/** Resolves when `work` settles or `ms` have passed, whichever comes first; never rejects. */
export function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
