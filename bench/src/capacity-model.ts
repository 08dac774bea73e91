/*
 * The sizing model of docs/capacity.md: from a bank's customers, their TPPs' habits and the per-operation
 * costs `pnpm bench` measures, the Redis memory and operations per second, the Redis Cluster size and
 * the token service replicas. Pure arithmetic, so that the table in the document can be recomputed
 * (`pnpm capacity`) when an input or a measured cost changes.
 */

/** What the bank's traffic looks like. */
export interface Population {
  readonly customers: number;
  /** Live AISP/CBPII consents (code-flow grants) per customer. */
  readonly consentsPerCustomer: number;
  /** Share of the live consents a TPP uses on a given day. */
  readonly dailyActiveShare: number;
  /** Hours between a TPP's unattended accesses to one consent (RTS art. 36(5)(b): 4 a day, so 6). */
  readonly refreshIntervalHours: number;
  /** Bank API calls per access, each introspecting the access token. */
  readonly apiCallsPerAccess: number;
  /** Days a consent lasts before the customer authorises again (180 under the RTS). */
  readonly consentDays: number;
  readonly tpps: number;
  /** client_credentials tokens each TPP takes per hour (payment initiation, TPP-level calls). */
  readonly clientTokensPerTppPerHour: number;
  /** Busiest second over the day's mean second (TPPs batch their refreshes). */
  readonly peakFactor: number;
}

/** What one operation costs, as `pnpm bench` measures it (docs/capacity.md, "Measured"). */
export interface OperationCosts {
  /** Redis commands per operation (calls counted by INFO commandstats, scripts' inner calls included). */
  readonly redisCommands: Readonly<Record<Operation, number>>;
  /** Bytes between the services and Redis per operation, both ways (INFO stats total_net_*_bytes). */
  readonly redisNetBytes: Readonly<Record<Operation, number>>;
  /** Token service CPU per operation, microseconds (the code flow: its exchange and introspection). */
  readonly tokenCpuMicros: Readonly<Record<Operation, number>>;
  /** used_memory per live code-flow grant (grant, index entry, refresh and access token, last use). */
  readonly bytesPerGrant: number;
  /** used_memory per live client_credentials access token. */
  readonly bytesPerClientToken: number;
  /** Seconds a client_credentials token lives. */
  readonly clientTokenSeconds: number;
}

/** What one Redis master and one token replica may carry. */
export interface Budgets {
  /** Commands per second one master carries with headroom (scripts included). */
  readonly commandsPerMaster: number;
  /** Data per master: maxmemory kept at half the node's memory for fork (replica sync) headroom. */
  readonly bytesPerMaster: number;
  readonly minMasters: number;
  readonly replicasPerMaster: number;
  /** Target CPU utilisation of a token replica (one Node process: one core) at the peak. */
  readonly tokenUtilisation: number;
  /** Replicas kept beyond the peak's need, so one can fail or roll without overload. */
  readonly spareTokenReplicas: number;
  readonly minTokenReplicas: number;
}

export const OPERATIONS = ['codeFlow', 'refresh', 'introspection', 'clientCredentials'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Sizing {
  readonly liveGrants: number;
  /** Peak operations per second, by operation. */
  readonly peakRates: Readonly<Record<Operation, number>>;
  readonly redisBytes: number;
  readonly redisCommandsPerSecond: number;
  readonly redisNetBytesPerSecond: number;
  readonly mastersForMemory: number;
  readonly mastersForCommands: number;
  readonly masters: number;
  /** Redis nodes: masters and their replicas. */
  readonly redisNodes: number;
  readonly tokenReplicas: number;
}

const SECONDS_PER_DAY = 86_400;

/** Peak operations per second of each kind. */
export function peakRates(population: Population): Record<Operation, number> {
  const liveGrants = population.customers * population.consentsPerCustomer;
  const accessesPerDay = liveGrants * population.dailyActiveShare * (24 / population.refreshIntervalHours);
  const mean: Record<Operation, number> = {
    codeFlow: liveGrants / population.consentDays / SECONDS_PER_DAY,
    // Access tokens live shorter than the interval between accesses: one refresh per access.
    refresh: accessesPerDay / SECONDS_PER_DAY,
    introspection: (accessesPerDay * population.apiCallsPerAccess) / SECONDS_PER_DAY,
    clientCredentials: (population.tpps * population.clientTokensPerTppPerHour) / 3600,
  };
  return Object.fromEntries(
    OPERATIONS.map((operation) => [operation, mean[operation] * population.peakFactor]),
  ) as Record<Operation, number>;
}

export function size(population: Population, costs: OperationCosts, budgets: Budgets): Sizing {
  const liveGrants = population.customers * population.consentsPerCustomer;
  const rates = peakRates(population);
  const liveClientTokens =
    ((population.tpps * population.clientTokensPerTppPerHour) / 3600) * costs.clientTokenSeconds;
  const redisBytes = liveGrants * costs.bytesPerGrant + liveClientTokens * costs.bytesPerClientToken;
  const sum = (per: Readonly<Record<Operation, number>>) =>
    OPERATIONS.reduce((total, operation) => total + rates[operation] * per[operation], 0);
  const redisCommandsPerSecond = sum(costs.redisCommands);
  const mastersForMemory = Math.ceil(redisBytes / budgets.bytesPerMaster);
  const mastersForCommands = Math.ceil(redisCommandsPerSecond / budgets.commandsPerMaster);
  const masters = Math.max(budgets.minMasters, mastersForMemory, mastersForCommands);
  const tokenCores = sum(costs.tokenCpuMicros) / 1e6;
  const tokenReplicas = Math.max(
    budgets.minTokenReplicas,
    Math.ceil(tokenCores / budgets.tokenUtilisation) + budgets.spareTokenReplicas,
  );
  return {
    liveGrants,
    peakRates: rates,
    redisBytes,
    redisCommandsPerSecond,
    redisNetBytesPerSecond: sum(costs.redisNetBytes),
    mastersForMemory,
    mastersForCommands,
    masters,
    redisNodes: masters * (1 + budgets.replicasPerMaster),
    tokenReplicas,
  };
}
