import { readFileSync } from 'node:fs';
import { ASSUMED_BUDGETS, MEASURED_COSTS, TYPICAL_POPULATION, WORKED_ROWS } from './capacity-inputs.js';
import { type Budgets, type OperationCosts, type Population, size } from './capacity-model.js';

/*
 * `pnpm capacity [inputs.json]`: docs/capacity.md's sizing table, from the measured costs and the stated
 * assumptions, or from a JSON file overriding any of them:
 *   { "population": { "peakFactor": 6 }, "costs": { "bytesPerGrant": 1300 }, "budgets": { ... },
 *     "rows": [{ "customers": 20000000, "tpps": 300 }] }
 */

interface Overrides {
  readonly population?: Partial<Population>;
  readonly costs?: Partial<OperationCosts>;
  readonly budgets?: Partial<Budgets>;
  readonly rows?: ReadonlyArray<{ readonly customers: number; readonly tpps: number }>;
}

/** Where a value of the inputs file is not what the model takes, e.g. `costs.bytesPerGrant`; none: []. */
export function invalidInputs(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => invalidInputs(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) =>
      invalidInputs(item, path === '' ? key : `${path}.${key}`),
    );
  return [path === '' ? '(the file)' : path];
}

function overridesFrom(path: string | undefined): Overrides {
  if (path === undefined) return {};
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const invalid = invalidInputs(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || invalid.length > 0)
    throw new Error(
      `${path}: expected an object of population, costs, budgets and rows holding non-negative numbers; not: ${invalid.join(', ')}`,
    );
  return value as Overrides;
}

const GiB = 1024 ** 3;
const rounded = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

export function sizingTable(overrides: Overrides): string {
  const costs = { ...MEASURED_COSTS, ...overrides.costs };
  const budgets = { ...ASSUMED_BUDGETS, ...overrides.budgets };
  const lines = [
    '| customers | TPPs | live grants | peak flows/s | peak refresh/s | peak introspection/s | Redis memory | Redis commands/s | Redis network | masters (memory / commands) | Redis nodes | token replicas |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of overrides.rows ?? WORKED_ROWS) {
    const population = { ...TYPICAL_POPULATION, ...overrides.population, ...row };
    const sizing = size(population, costs, budgets);
    lines.push(
      `| ${row.customers.toLocaleString('en')} | ${row.tpps} | ${sizing.liveGrants.toLocaleString('en')}` +
        ` | ${rounded(sizing.peakRates.codeFlow)} | ${rounded(sizing.peakRates.refresh)}` +
        ` | ${rounded(sizing.peakRates.introspection)} | ${(sizing.redisBytes / GiB).toFixed(1)} GiB` +
        ` | ${Math.round(sizing.redisCommandsPerSecond).toLocaleString('en')}` +
        ` | ${((sizing.redisNetBytesPerSecond * 8) / 1e6).toFixed(1)} Mbit/s` +
        ` | ${sizing.masters} (${sizing.mastersForMemory} / ${sizing.mastersForCommands}) | ${sizing.redisNodes}` +
        ` | ${sizing.tokenReplicas} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('capacity.js'))
  process.stdout.write(`${sizingTable(overridesFrom(process.argv[2]))}\n`);
