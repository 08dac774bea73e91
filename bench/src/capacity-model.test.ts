import { describe, expect, it } from '@jest/globals';
import { type Budgets, type OperationCosts, type Population, peakRates, size } from './capacity-model.js';

const population: Population = {
  customers: 1_000_000,
  consentsPerCustomer: 0.5,
  dailyActiveShare: 0.5,
  refreshIntervalHours: 6,
  apiCallsPerAccess: 3,
  consentDays: 100,
  tpps: 100,
  clientTokensPerTppPerHour: 36,
  peakFactor: 2,
};

const costs: OperationCosts = {
  redisCommands: { codeFlow: 30, refresh: 5, introspection: 2, clientCredentials: 1 },
  redisNetBytes: { codeFlow: 5000, refresh: 1000, introspection: 250, clientCredentials: 200 },
  tokenCpuMicros: { codeFlow: 1000, refresh: 100, introspection: 100, clientCredentials: 100 },
  bytesPerGrant: 1000,
  bytesPerClientToken: 250,
  clientTokenSeconds: 300,
};

const budgets: Budgets = {
  commandsPerMaster: 1000,
  bytesPerMaster: 100_000_000,
  minMasters: 3,
  replicasPerMaster: 1,
  tokenUtilisation: 0.5,
  spareTokenReplicas: 1,
  minTokenReplicas: 2,
};

describe('the capacity model', () => {
  it('derives each operation’s peak rate from the population', () => {
    const rates = peakRates(population);
    // 500 000 grants, half used a day, 4 accesses each: 1 000 000 refreshes a day, ×2 at the peak.
    expect(rates.refresh).toBeCloseTo((1_000_000 / 86_400) * 2, 6);
    expect(rates.introspection).toBeCloseTo(rates.refresh * 3, 6);
    expect(rates.codeFlow).toBeCloseTo((5000 / 86_400) * 2, 6);
    expect(rates.clientCredentials).toBeCloseTo(2, 6);
  });

  it('sizes Redis by memory and by commands, whichever needs more masters, with their replicas', () => {
    const rates = peakRates(population);
    const sizing = size(population, costs, budgets);
    const clientTokens = 1 * 300;
    expect(sizing.liveGrants).toBe(500_000);
    expect(sizing.redisBytes).toBeCloseTo(500_000 * 1000 + clientTokens * 250, 3);
    const commands =
      rates.codeFlow * 30 + rates.refresh * 5 + rates.introspection * 2 + rates.clientCredentials;
    expect(sizing.redisCommandsPerSecond).toBeCloseTo(commands, 6);
    expect(sizing.redisNetBytesPerSecond).toBeCloseTo(
      rates.codeFlow * 5000 +
        rates.refresh * 1000 +
        rates.introspection * 250 +
        rates.clientCredentials * 200,
      6,
    );
    expect(sizing.mastersForMemory).toBe(6);
    expect(sizing.mastersForCommands).toBe(Math.ceil(commands / 1000));
    expect(sizing.masters).toBe(Math.max(6, Math.ceil(commands / 1000)));
    expect(sizing.redisNodes).toBe(sizing.masters * 2);
  });

  it('keeps the minimum of masters and replicas for a small bank, and adds the spare replica above it', () => {
    const small = size({ ...population, customers: 1000 }, costs, budgets);
    expect(small.masters).toBe(3);
    expect(small.tokenReplicas).toBe(2);
    const busy = size({ ...population, customers: 100_000_000 }, costs, budgets);
    const rates = peakRates({ ...population, customers: 100_000_000 });
    const cores =
      (rates.codeFlow * 1000 + (rates.refresh + rates.introspection + rates.clientCredentials) * 100) / 1e6;
    expect(busy.tokenReplicas).toBe(Math.ceil(cores / 0.5) + 1);
  });
});
