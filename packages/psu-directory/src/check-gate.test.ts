import { describe, expect, it } from '@jest/globals';
import { createCheckGate, PasswordChecksBusyError } from './check-gate.js';

/** A unit of work that ends when the test says so. */
function held() {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { work: () => done, finish };
}

describe('the password check gate', () => {
  it('runs at most `concurrency` checks at once and hands slots to waiters in order', async () => {
    const gate = createCheckGate({ concurrency: 2, queueLimit: 10, queueTimeoutMs: 10_000 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const jobs = Array.from({ length: 6 }, (_, index) =>
      gate(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(index);
        running -= 1;
      }),
    );
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses at once beyond the waiting room, and frees the slot of a failed check', async () => {
    const gate = createCheckGate({ concurrency: 1, queueLimit: 1, queueTimeoutMs: 10_000 });
    const first = held();
    const running = gate(first.work);
    const queued = gate(async () => 'queued');
    await expect(gate(async () => 'third')).rejects.toBeInstanceOf(PasswordChecksBusyError);
    first.finish();
    await running;
    await expect(queued).resolves.toBe('queued');
    await expect(gate(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate(async () => 'after')).resolves.toBe('after');
  });

  it('refuses a check that waited longer than the timeout', async () => {
    const gate = createCheckGate({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 20 });
    const first = held();
    const running = gate(first.work);
    await expect(gate(async () => 'late')).rejects.toThrow('queue timeout');
    first.finish();
    await running;
    // The timed-out waiter left the queue: the slot is free again.
    await expect(gate(async () => 'next')).resolves.toBe('next');
  });
});
