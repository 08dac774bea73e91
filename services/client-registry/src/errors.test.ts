import { describe, expect, it } from '@jest/globals';
import { classifyDatabaseError } from './errors.js';

/** What node-postgres throws for a server error: an Error with the SQLSTATE as `code`, wrapped by drizzle. */
function databaseError(code: string): Error {
  return new Error('Failed query', { cause: Object.assign(new Error(`sqlstate ${code}`), { code }) });
}

describe('classifyDatabaseError', () => {
  it.each([
    ['08006', 'unavailable'],
    ['53300', 'unavailable'],
    ['53200', 'unavailable'],
    ['57P01', 'unavailable'],
    ['57P03', 'unavailable'],
    ['57014', 'deadline_exceeded'],
    ['23505', 'already_exists'],
    ['23514', 'invalid_argument'],
    ['22001', 'invalid_argument'],
    ['40001', 'aborted'],
  ])('SQLSTATE %s is %s', (code, expected) => {
    expect(classifyDatabaseError(databaseError(code))?.code).toBe(expected);
  });

  it('a socket error or a pool timeout is unavailable, by the shared rule', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyDatabaseError(new Error('Failed query', { cause: refused }))?.code).toBe('unavailable');
    expect(classifyDatabaseError(new Error('timeout exceeded when trying to connect'))?.code).toBe(
      'unavailable',
    );
  });

  it('anything else is a bug: undefined, so the gRPC layer answers INTERNAL', () => {
    expect(classifyDatabaseError(databaseError('42601'))).toBeUndefined();
    expect(classifyDatabaseError(new TypeError('x is undefined'))).toBeUndefined();
  });
});
