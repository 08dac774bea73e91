import { describe, expect, it } from '@jest/globals';
import { settleWithin } from './shutdown.js';

describe('settleWithin', () => {
  it('gives up on work that never settles once its time is over', async () => {
    const started = Date.now();
    await settleWithin(new Promise(() => undefined), 100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('resolves as soon as the work settles, a failure included, never rejecting', async () => {
    const started = Date.now();
    await expect(settleWithin(Promise.reject(new Error('collector gone')), 5000)).resolves.toBeUndefined();
    await expect(settleWithin(Promise.resolve('flushed'), 5000)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
