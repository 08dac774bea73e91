import { describe, expect, it } from '@jest/globals';
import { kindOfKey } from './key-census.js';
import { CLUSTER_SLOTS, slotOf, spreadOfSlots } from './key-spread.js';
import { costPerOperation, parseCounters } from './redis-accounting.js';

const info = (calls: Record<string, number>, input: number, output: number, cpu: number) =>
  [
    '# Commandstats',
    ...Object.entries(calls).map(
      ([name, count]) => `cmdstat_${name}:calls=${count},usec=10,usec_per_call=1.00`,
    ),
    '# Stats',
    `total_net_input_bytes:${input}`,
    `total_net_output_bytes:${output}`,
    '# CPU',
    `used_cpu_sys:${cpu / 2}`,
    `used_cpu_user:${cpu / 2}`,
  ].join('\r\n');

describe('Redis cost per operation', () => {
  it('divides the counters’ growth by the operations, leaving out the bench’s own INFO calls', () => {
    const before = parseCounters(info({ get: 10, info: 3 }, 1000, 500, 1));
    const after = parseCounters(info({ get: 30, set: 10, info: 9 }, 3000, 1500, 1.001));
    const cost = costPerOperation(before, after, 10);
    expect(cost.commands).toEqual([
      ['get', 2],
      ['set', 1],
    ]);
    expect(cost.totalCommands).toBe(3);
    expect(cost.bytesIn).toBe(200);
    expect(cost.bytesOut).toBe(100);
    expect(cost.cpuMicros).toBeCloseTo(100, 6);
  });

  it('refuses an INFO without the byte counters', () => {
    expect(() => parseCounters('# Commandstats\r\ncmdstat_get:calls=1')).toThrow(/total_net_input_bytes/);
  });
});

describe('key spread over cluster slots', () => {
  it('computes slots as Redis Cluster does, hash tags included', () => {
    // Redis's own example values (CLUSTER KEYSLOT).
    expect(slotOf('foo')).toBe(12182);
    expect(slotOf('{user1000}.following')).toBe(slotOf('{user1000}.followers'));
  });

  it('counts distinct slots, the fullest slot and each master’s share of an even split', () => {
    const slots = [0, 0, 0, 1, CLUSTER_SLOTS - 1, CLUSTER_SLOTS / 2];
    const spread = spreadOfSlots(slots, [2]);
    expect(spread).toMatchObject({ keys: 6, distinctSlots: 4, maxKeysPerSlot: 3 });
    expect(spread.meanKeysPerSlot).toBeCloseTo(6 / CLUSTER_SLOTS, 9);
    expect(spread.masters).toEqual([{ masters: 2, maxShare: 4 / 6, minShare: 2 / 6 }]);
  });
});

describe('key kinds', () => {
  it('folds ids, hashes and addresses, and names the run’s prefix', () => {
    expect(kindOfKey('test:bench:ab12:g:Xy3kLm9PqR2sT5uV7wZ0aB', 'test:bench:ab12:')).toBe('<prefix>g:*');
    expect(kindOfKey('test:bench:ab12:rl:sessions:2001:db8:0:1::/64', 'test:bench:ab12:')).toBe(
      '<prefix>rl:sessions:*',
    );
    expect(kindOfKey('test:bench:ab12:{s:9f86d081884c7d659a2feaa0c55ad015}', 'test:bench:ab12:')).toBe(
      '<prefix>{s:*',
    );
    expect(kindOfKey('psd2:x:client', 'test:')).toBe('psd2:x:client');
  });
});
