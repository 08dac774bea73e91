/*
 * A bound on concurrent password hashing. scrypt runs on libuv's thread pool (4 threads by default) and
 * holds about 32 MiB per check: unbounded, a burst of sign-in posts would queue without limit, exhaust
 * memory and starve every other use of the pool (DNS, file reads). Beyond the waiting room, or after
 * waiting too long, the check is refused at once and the PSU is asked to come back.
 */

/** Too many password checks at once: the caller answers 503 (temporarily unavailable). */
export class PasswordChecksBusyError extends Error {
  constructor(reason: 'queue full' | 'queue timeout') {
    super(`password checks busy (${reason})`);
    this.name = 'PasswordChecksBusyError';
  }
}

export interface CheckGateOptions {
  /** Checks running at once. */
  readonly concurrency: number;
  /** Checks allowed to wait for a slot; one more is refused at once. */
  readonly queueLimit: number;
  /** How long a check may wait for a slot before it is refused. */
  readonly queueTimeoutMs: number;
}

export type CheckGate = <T>(work: () => Promise<T>) => Promise<T>;

export function createCheckGate(options: CheckGateOptions): CheckGate {
  let running = 0;
  const waiting: Array<() => void> = [];

  const acquire = (): Promise<void> => {
    if (running < options.concurrency) {
      running += 1;
      return Promise.resolve();
    }
    if (waiting.length >= options.queueLimit)
      return Promise.reject(new PasswordChecksBusyError('queue full'));
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = waiting.indexOf(wake);
        if (index >= 0) waiting.splice(index, 1);
        reject(new PasswordChecksBusyError('queue timeout'));
      }, options.queueTimeoutMs);
      waiting.push(wake);
    });
  };

  // A finished check hands its slot straight to the next waiter, so `running` never drops below the
  // number of checks actually in progress.
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next();
  };

  return async (work) => {
    await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
}
