import { describe, expect, it } from '@jest/globals';
import {
  markerAdmits,
  markerIsPermanent,
  markerOnDelete,
  markerOnReinstate,
  markerOnRestore,
  markerOnSuspend,
  parseClientMarker,
  periodCutoff,
} from './client-markers.js';

/* The marker rules on their own; the contract suites hold every store to them. */

const NOW_MS = 1_800_000_000_250;
const record = (issuedAt: number, scope = 'aisp') => ({ issuedAt, scope });

describe('client markers', () => {
  it('reads a marker written before suspensions existed (plain milliseconds) as a deletion', () => {
    expect(parseClientMarker('1799999999999')).toEqual({ kind: 'deleted' });
    expect(markerAdmits('1799999999999', record(2_000_000_000))).toBe(false);
  });

  it('reads a value it does not know as a suspension: inactive, the safe reading', () => {
    expect(parseClientMarker('Zsomething')).toEqual({ kind: 'suspended' });
    expect(markerAdmits('Zsomething', record(2_000_000_000))).toBe(false);
  });

  it('admits, in a period, what was issued from its cutoff on and carries no refused scope', () => {
    const marker = markerOnReinstate(undefined, ['pisp'], NOW_MS) ?? '';
    expect(marker).toBe(`C${periodCutoff(NOW_MS)}:pisp`);
    const cutoff = periodCutoff(NOW_MS);
    expect(cutoff * 1000).toBeGreaterThan(NOW_MS);
    expect(markerAdmits(marker, record(cutoff - 1))).toBe(false);
    expect(markerAdmits(marker, record(cutoff))).toBe(true);
    expect(markerAdmits(marker, record(cutoff, 'aisp pisp'))).toBe(false);
    expect(markerAdmits(undefined, record(0))).toBe(true);
  });

  it('keeps a period refusing the same scopes, in any order, and starts a new one for others', () => {
    const marker = markerOnReinstate('S1', ['pisp', 'cbpii'], NOW_MS) ?? '';
    expect(markerOnReinstate(marker, ['cbpii', 'pisp', 'pisp'], NOW_MS + 5000)).toBeUndefined();
    expect(markerOnReinstate(marker, [], NOW_MS + 5000)).toBe(`C${periodCutoff(NOW_MS + 5000)}:`);
    expect(markerOnReinstate(undefined, [], NOW_MS)).toBeUndefined();
  });

  it('never turns a deletion into a suspension or a period, and undoes a deletion to what it replaced', () => {
    const deleted = markerOnDelete('S123', NOW_MS);
    expect(markerOnSuspend(deleted, NOW_MS)).toBeUndefined();
    expect(markerOnReinstate(deleted, [], NOW_MS)).toBeUndefined();
    expect(markerOnReinstate('1799999999999', ['pisp'], NOW_MS)).toBeUndefined();
    const twice = markerOnDelete(deleted, NOW_MS + 1);
    expect(markerOnRestore(twice)).toBe('S123');
    expect(markerOnRestore(markerOnDelete(undefined, NOW_MS))).toBeUndefined();
    expect(markerOnRestore('C5:')).toBe('C5:');
  });

  it('keeps the first suspension time, and lets only markers that refuse nothing expire', () => {
    expect(markerOnSuspend('S1', NOW_MS)).toBeUndefined();
    expect(markerOnSuspend('C5:', NOW_MS)).toBe(`S${NOW_MS}`);
    expect(markerIsPermanent(`S${NOW_MS}`)).toBe(true);
    expect(markerIsPermanent('C5:pisp')).toBe(true);
    expect(markerIsPermanent('C5:')).toBe(false);
    expect(markerIsPermanent(String(NOW_MS))).toBe(false);
  });
});
