import { expect, it } from '@jest/globals';
import { isConnectionLost, sqlStateOf } from './errors.js';

const pgError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

it('finds the SQLSTATE behind the wrappers drizzle puts around it', () => {
  const wrapped = new Error('Failed query', { cause: pgError('23505') });
  expect(sqlStateOf(wrapped)).toBe('23505');
  expect(sqlStateOf(Object.assign(new Error('socket'), { code: 'ECONNRESET' }))).toBeUndefined();
  expect(sqlStateOf('23505')).toBeUndefined();
});

it('counts a lost connection as lost, but not a statement timeout or a bad query', () => {
  expect(isConnectionLost(new Error('Failed query', { cause: pgError('57P01') }))).toBe(true);
  expect(isConnectionLost(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
  expect(isConnectionLost(pgError('57014'))).toBe(false);
  expect(isConnectionLost(pgError('42P01'))).toBe(false);
});
