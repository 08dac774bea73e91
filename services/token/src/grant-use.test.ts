import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@psd2/logging';
import type { GrantUsageStore } from '@psd2/token-store';
import { createGrantUseRecorder } from './grant-use.js';

const logger = createLogger({ name: 'grant-use-test', level: 'silent' });

function countingStore(fails = false): GrantUsageStore & { readonly writes: [string, number][] } {
  const writes: [string, number][] = [];
  return {
    writes,
    async recordGrantUse(grantId, at) {
      writes.push([grantId, at]);
      if (fails) throw new Error('store down');
    },
    async lastUsedOf() {
      return {};
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the grant use recorder', () => {
  it('writes at most one use a minute per grant', () => {
    const store = countingStore();
    const recorder = createGrantUseRecorder(store, { logger });
    recorder.record('g1', 1000);
    recorder.record('g1', 1059);
    recorder.record('g2', 1059);
    recorder.record('g1', 1060);
    expect(store.writes).toEqual([
      ['g1', 1000],
      ['g2', 1059],
      ['g1', 1060],
    ]);
  });

  it('returns at once and swallows a failed write, which a later use retries', async () => {
    const store = countingStore(true);
    const recorder = createGrantUseRecorder(store, { logger });
    expect(() => recorder.record('g1', 1000)).not.toThrow();
    await settle();
    recorder.record('g1', 1001);
    expect(store.writes).toEqual([
      ['g1', 1000],
      ['g1', 1001],
    ]);
  });

  it('remembers a bounded number of grants, the least recently recorded forgotten first', () => {
    const store = countingStore();
    const recorder = createGrantUseRecorder(store, { logger, rememberedGrants: 2 });
    recorder.record('g1', 1000);
    recorder.record('g2', 1000);
    recorder.record('g3', 1000);
    recorder.record('g2', 1001);
    recorder.record('g1', 1001);
    expect(store.writes.map(([grantId]) => grantId)).toEqual(['g1', 'g2', 'g3', 'g1']);
  });
});
