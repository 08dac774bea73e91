import type { Redis } from 'ioredis';
import { log } from './bench-settings.js';
import { censusOf } from './key-census.js';
import { describeSpread, scanKeys, slotOf, spreadOfSlots } from './key-spread.js';
import type { RedisCostPerOperation } from './redis-accounting.js';

/* The Redis figures of a run, printed together: what each operation cost, what was left, how it spreads. */

export function logCostSummary(costs: ReadonlyMap<string, RedisCostPerOperation>): void {
  if (costs.size === 0) return;
  log("\n== Redis per operation (load-independent counts; CPU is the Redis server's, on this host)");
  log('| operation | commands | bytes in | bytes out | Redis CPU µs | commands by name |');
  log('|---|---|---|---|---|---|');
  for (const [operation, cost] of costs) {
    const byName = cost.commands
      .filter(([, value]) => value >= 0.005)
      .map(([name, value]) => `${name} ${value.toFixed(2)}`)
      .join(', ');
    log(
      `| ${operation} | ${cost.totalCommands.toFixed(2)} | ${cost.bytesIn.toFixed(0)} | ${cost.bytesOut.toFixed(0)}` +
        ` | ${cost.cpuMicros.toFixed(0)} | ${byName} |`,
    );
  }
}

/** The keys under `prefix` by kind (count, mean bytes, expiring) and their spread over cluster slots. */
export async function logKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, `${prefix}*`);
  log(`\n== Keys left under the run's prefix (${keys.length})`);
  log('| kind | keys | mean MEMORY USAGE (bytes) | with a TTL |');
  log('|---|---|---|---|');
  for (const kind of await censusOf(redis, keys, prefix))
    log(`| \`${kind.kind}\` | ${kind.count} | ${kind.meanBytes.toFixed(0)} | ${kind.withTtl} |`);
  log(`cluster slots: ${describeSpread(spreadOfSlots(keys.map(slotOf)))}`);
}
