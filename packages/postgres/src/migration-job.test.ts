import { expect, it } from '@jest/globals';
import type { Database } from './database.js';
import { migrateAndClose } from './migration-job.js';

/* The Job's outcome is its log line and its exit code; the pool is closed either way. */

function fakeDatabase(migrate: () => Promise<void>) {
  const calls: string[] = [];
  const database = {
    migrate: async () => {
      calls.push('migrate');
      await migrate();
    },
    close: async () => {
      calls.push('close');
    },
  } as Pick<Database, 'migrate' | 'close'> as Database;
  return { database, calls };
}

function recordingLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (message: string) => lines.push(`info ${message}`),
    error: (fields: { err: unknown }, message: string) =>
      lines.push(`error ${message}: ${String(fields.err)}`),
  };
}

it('logs the migrations applied, answers exit code 0 and closes', async () => {
  const { database, calls } = fakeDatabase(async () => undefined);
  const log = recordingLog();
  expect(await migrateAndClose(database, log, 'PSU directory')).toBe(0);
  expect(log.lines).toEqual(['info PSU directory migrations applied']);
  expect(calls).toEqual(['migrate', 'close']);
});

it('logs a failure, answers exit code 1 for the Job to be retried, and still closes', async () => {
  const { database, calls } = fakeDatabase(async () => {
    throw new Error('connect ECONNREFUSED');
  });
  const log = recordingLog();
  expect(await migrateAndClose(database, log, 'client registry')).toBe(1);
  expect(log.lines).toEqual(['error client registry migrations failed: Error: connect ECONNREFUSED']);
  expect(calls).toEqual(['migrate', 'close']);
});
