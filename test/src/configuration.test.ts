import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot, startNodeProcess } from '@psd2/testing';

const HTTP_SERVICES = ['registration', 'authorization', 'token', 'revocation'] as const;

describe('a bad configuration value', () => {
  it.each(HTTP_SERVICES)('stops the %s service with one line naming the variable', async (service) => {
    const started = startNodeProcess({
      cwd: join(repoRoot, 'services', service),
      args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
      env: { PORT: 'abc', OTEL_SDK_DISABLED: 'true' },
    });
    const exit = await started.exited;
    expect(exit.code).toBe(78);
    const lines = started.output().trim().split('\n');
    expect(lines).toEqual([`${service}: configuration error: PORT must be an integer from 1 to 65535`]);
  });
});
