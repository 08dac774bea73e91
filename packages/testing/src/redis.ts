import { randomBytes } from 'node:crypto';

/** A key prefix unique to one test file's run, so parallel files never share Redis keys. */
export function createIsolatedRedisPrefix(label: string): string {
  return `test:${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}:${randomBytes(4).toString('hex')}:`;
}
