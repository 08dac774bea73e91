import type { Budgets, OperationCosts, Population } from './capacity-model.js';

/*
 * The inputs of docs/capacity.md's worked table. The costs are what `pnpm bench` measured (see the
 * document for the run and the machine); the population and the budgets are assumptions the document
 * states and a bank replaces with its own.
 */

export const MEASURED_COSTS: OperationCosts = {
  redisCommands: { codeFlow: 31, refresh: 5, introspection: 2, clientCredentials: 1 },
  // Idle-machine figures where they exist (issuance, introspection: bench/README.md, 2026-11-25); the
  // code flow's and the refresh's are this loaded run's, scaled by issuance's loaded/idle ratio (~3).
  tokenCpuMicros: { codeFlow: 700, refresh: 120, introspection: 100, clientCredentials: 105 },
  bytesPerGrant: 1430,
  bytesPerClientToken: 261,
  clientTokenSeconds: 300,
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
