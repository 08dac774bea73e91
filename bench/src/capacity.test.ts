import { describe, expect, it } from '@jest/globals';
import { benchParts } from './bench-settings.js';
import { invalidInputs, sizingTable } from './capacity.js';

describe('pnpm capacity', () => {
  it('prints one row per customers × TPPs, with the overrides applied', () => {
    const table = sizingTable({
      rows: [{ customers: 2_000_000, tpps: 10 }],
      costs: { bytesPerGrant: 1024 ** 3, bytesPerClientToken: 0 },
    });
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    // 1 000 000 grants of a GiB each: 1 000 000 GiB, 8 GiB a master.
    expect(lines[2]).toContain('| 2,000,000 | 10 | 1,000,000 |');
    expect(lines[2]).toContain('| 1000000.0 GiB |');
    expect(lines[2]).toContain('| 125000 (125000 / 1) | 250000 |');
  });

  it('names every value of an inputs file that is not a non-negative number', () => {
    expect(invalidInputs({ population: { peakFactor: 4 }, rows: [{ customers: 1, tpps: 2 }] })).toEqual([]);
    expect(
      invalidInputs({
        population: { peakFactor: '4' },
        costs: { bytesPerGrant: -1 },
        rows: [{ customers: null }],
      }),
    ).toEqual(['population.peakFactor', 'costs.bytesPerGrant', 'rows[0].customers']);
  });
});

describe('BENCH_ONLY', () => {
  it('runs every part when unset, the named ones otherwise, and refuses an unknown name', () => {
    expect([...benchParts(undefined)]).toEqual(['issuance', 'introspection', 'codeflow', 'memory']);
    expect([...benchParts('codeflow, memory')]).toEqual(['codeflow', 'memory']);
    expect(() => benchParts('codeflow,flows')).toThrow(/BENCH_ONLY: unknown part flows/);
  });
});
