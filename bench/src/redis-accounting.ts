import type { Redis } from 'ioredis';

/*
 * What one operation costs Redis, from its own counters: INFO commandstats (calls per command), INFO
 * stats (bytes read from and written to clients) and INFO cpu (the server's CPU time), read before and
 * after a measured run and divided by the operations completed. The bench's Redis is its own, so the
 * counters hold only the system under test's commands (and the few health checks it makes meanwhile).
 * Commands a script runs are counted by Redis as calls too, next to the EVALSHA that ran them.
 */

export interface RedisCounters {
  /** Calls per command name (lower case, `cmdstat_` removed). */
  readonly calls: ReadonlyMap<string, number>;
  readonly netInputBytes: number;
  readonly netOutputBytes: number;
  /** used_cpu_sys + used_cpu_user of the server, seconds. */
  readonly cpuSeconds: number;
}

/** Our own reads of the counters, which are not the system's work. */
const OWN_COMMANDS = new Set(['info']);

const field = (info: string, name: string): number => {
  const match = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info);
  if (match?.[1] === undefined) throw new Error(`INFO has no ${name}`);
  return Number(match[1]);
};

export function parseCounters(info: string): RedisCounters {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, name = '', count = '0'] = match;
    if (!OWN_COMMANDS.has(name)) calls.set(name, Number(count));
  }
  return {
    calls,
    netInputBytes: field(info, 'total_net_input_bytes'),
    netOutputBytes: field(info, 'total_net_output_bytes'),
    cpuSeconds: field(info, 'used_cpu_sys') + field(info, 'used_cpu_user'),
  };
}

export async function readCounters(redis: Redis): Promise<RedisCounters> {
  const info = (await redis.call('INFO', 'commandstats', 'stats', 'cpu')) as string;
  return parseCounters(info);
}

export interface RedisCostPerOperation {
  readonly operations: number;
  /** Commands per operation by name, most frequent first. */
  readonly commands: ReadonlyArray<readonly [string, number]>;
  readonly totalCommands: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Redis server CPU per operation, microseconds (load-dependent: context switches on a busy host). */
  readonly cpuMicros: number;
}

export function costPerOperation(
  before: RedisCounters,
  after: RedisCounters,
  operations: number,
): RedisCostPerOperation {
  const per = (value: number) => (operations > 0 ? value / operations : Number.NaN);
  const commands = [...after.calls]
    .map(([name, calls]) => [name, per(calls - (before.calls.get(name) ?? 0))] as const)
    .filter(([, perOperation]) => perOperation > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    operations,
    commands,
    totalCommands: commands.reduce((sum, [, value]) => sum + value, 0),
    bytesIn: per(after.netInputBytes - before.netInputBytes),
    bytesOut: per(after.netOutputBytes - before.netOutputBytes),
    cpuMicros: per((after.cpuSeconds - before.cpuSeconds) * 1e6),
  };
}

/** Runs `work` (resolving with the operations it completed) between two readings of the counters. */
export async function accountRedis(
  redis: Redis,
  work: () => Promise<number>,
): Promise<RedisCostPerOperation> {
  const before = await readCounters(redis);
  const operations = await work();
  return costPerOperation(before, await readCounters(redis), operations);
}

export function describeCost(cost: RedisCostPerOperation): string {
  const commands = cost.commands
    .filter(([, value]) => value >= 0.005)
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ');
  return (
    `Redis per operation (${cost.operations} operations): ${cost.totalCommands.toFixed(2)} commands (${commands}),` +
    ` ${cost.bytesIn.toFixed(0)} bytes in, ${cost.bytesOut.toFixed(0)} bytes out, ${cost.cpuMicros.toFixed(0)} µs Redis CPU`
  );
}
