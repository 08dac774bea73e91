import type { Budgets, OperationCosts, Population } from './capacity-model.js';

/*
 * The inputs of docs/capacity.md's worked table. The costs are what `pnpm bench` measured (see the
 * document for the run and the machine); the population and the budgets are assumptions the document
 * states and a bank replaces with its own.
 */

export const MEASURED_COSTS: OperationCosts = {
  redisCommands: { codeFlow: 32, refresh: 6, introspection: 2, clientCredentials: 1 },
  redisNetBytes: { codeFlow: 4804, refresh: 1022, introspection: 250, clientCredentials: 200 },
  // Token service CPU per operation as measured in the same loaded run (docs/capacity.md): about 1.5x
  // the idle machine's issuance and introspection figures, so the replicas come out on the safe side.
  // The code flow's is its exchange and its introspection.
  tokenCpuMicros: { codeFlow: 1600, refresh: 340, introspection: 160, clientCredentials: 160 },
  bytesPerGrant: 1435,
  bytesPerClientToken: 261,
  clientTokenSeconds: 3600,
};

export const ASSUMED_BUDGETS: Budgets = {
  commandsPerMaster: 50_000,
  bytesPerMaster: 8 * 1024 ** 3,
  minMasters: 3,
  replicasPerMaster: 1,
  tokenUtilisation: 0.6,
  spareTokenReplicas: 1,
  minTokenReplicas: 3,
};

export const TYPICAL_POPULATION: Omit<Population, 'customers' | 'tpps'> = {
  consentsPerCustomer: 0.5,
  dailyActiveShare: 0.6,
  refreshIntervalHours: 6,
  apiCallsPerAccess: 4,
  consentDays: 180,
  clientTokensPerTppPerHour: 60,
  peakFactor: 4,
};

/** The rows of the worked table: customers × TPPs. */
export const WORKED_ROWS: ReadonlyArray<{ readonly customers: number; readonly tpps: number }> = [
  { customers: 1_000_000, tpps: 100 },
  { customers: 1_000_000, tpps: 500 },
  { customers: 10_000_000, tpps: 100 },
  { customers: 10_000_000, tpps: 500 },
  { customers: 50_000_000, tpps: 100 },
  { customers: 50_000_000, tpps: 500 },
];
