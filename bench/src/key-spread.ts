import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';

/*
 * How the keys a run left behind would spread over a Redis Cluster: each key's hash slot (the same
 * CRC16 ioredis routes by, hash tags included), then the distinct slots used, the keys per slot, and
 * each master's share when the 16384 slots are split evenly over 3, 6 or 12 masters. Computed from the
 * real key names, whatever they are.
 */

export const CLUSTER_SLOTS = 16384;

export interface MasterShare {
  readonly masters: number;
  /** The fullest master's share of the keys, and the emptiest's (an even spread: 1 / masters). */
  readonly maxShare: number;
  readonly minShare: number;
}

export interface KeySpread {
  readonly keys: number;
  readonly distinctSlots: number;
  readonly maxKeysPerSlot: number;
  /** Over all 16384 slots. */
  readonly meanKeysPerSlot: number;
  readonly masters: readonly MasterShare[];
}

export function spreadOfSlots(
  slots: readonly number[],
  masterCounts: readonly number[] = [3, 6, 12],
): KeySpread {
  const perSlot = new Uint32Array(CLUSTER_SLOTS);
  for (const slot of slots) perSlot[slot] = (perSlot[slot] ?? 0) + 1;
  let distinctSlots = 0;
  let maxKeysPerSlot = 0;
  for (const count of perSlot) {
    if (count > 0) distinctSlots += 1;
    maxKeysPerSlot = Math.max(maxKeysPerSlot, count);
  }
  const masters = masterCounts.map((count) => {
    const perMaster = new Array<number>(count).fill(0);
    // Slots split into contiguous even ranges, as redis-cli --cluster create assigns them.
    perSlot.forEach((keys, slot) => {
      const master = Math.floor((slot * count) / CLUSTER_SLOTS);
      perMaster[master] = (perMaster[master] ?? 0) + keys;
    });
    const total = Math.max(1, slots.length);
    return {
      masters: count,
      maxShare: Math.max(...perMaster) / total,
      minShare: Math.min(...perMaster) / total,
    };
  });
  return {
    keys: slots.length,
    distinctSlots,
    maxKeysPerSlot,
    meanKeysPerSlot: slots.length / CLUSTER_SLOTS,
    masters,
  };
}

/** Every key of the current database matching `match`, by SCAN (never KEYS). */
export async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 10_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export const slotOf = (key: string): number => calculateSlot(key);

export function describeSpread(spread: KeySpread): string {
  const shares = spread.masters
    .map(
      (share) =>
        `${share.masters} masters: ${(share.maxShare * 100).toFixed(1)}% max / ${(share.minShare * 100).toFixed(1)}% min` +
        ` (even ${(100 / share.masters).toFixed(1)}%)`,
    )
    .join('; ');
  return (
    `${spread.keys} keys over ${spread.distinctSlots} of ${CLUSTER_SLOTS} slots, max ${spread.maxKeysPerSlot}` +
    ` keys in one slot, mean ${spread.meanKeysPerSlot.toFixed(2)} per slot | ${shares}`
  );
}
