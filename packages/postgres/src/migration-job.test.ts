import { afterEach, expect, it } from '@jest/globals';
import type { Database } from './database.js';
import { migrateAndClose } from './migration-job.js';

/* The Job's outcome is its log line and its exit code; the pool is closed either way. */

afterEach(() => {
  process.exitCode = undefined;
});

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

it('logs the migrations applied, leaves the exit code alone and closes', async () => {
  const { database, calls } = fakeDatabase(async () => undefined);
  const log = recordingLog();
  await migrateAndClose(database, log, 'PSU directory');
  expect(log.lines).toEqual(['info PSU directory migrations applied']);
  expect(process.exitCode).toBeUndefined();
  expect(calls).toEqual(['migrate', 'close']);
});

it('logs a failure, exits 1 for the Job to be retried, and still closes', async () => {
  const { database, calls } = fakeDatabase(async () => {
    throw new Error('connect ECONNREFUSED');
  });
  const log = recordingLog();
  await migrateAndClose(database, log, 'client registry');
  expect(log.lines).toEqual(['error client registry migrations failed: Error: connect ECONNREFUSED']);
  expect(process.exitCode).toBe(1);
  expect(calls).toEqual(['migrate', 'close']);
});
