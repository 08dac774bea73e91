import { Writable } from 'node:stream';
import { expect } from '@jest/globals';
import { createLogger, type Logger } from '@psd2/logging';

/** A real logger whose JSON lines land in `lines`, for tests that read what was logged. */
export function capturingLogger(
  name: string,
  lines: Array<Record<string, unknown>> = [],
): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const logger = createLogger({
    name,
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    }),
  });
  return { logger, lines };
}

/** The generic server_error answer: no stack, no path, no detail of the thrown error. */
export function expectGenericServerError(response: Response, text: string): void {
  expect(response.status).toBe(500);
  expect(JSON.parse(text)).toEqual({
    error: 'server_error',
    error_description: 'The server encountered an unexpected condition.',
  });
  expect(text).not.toMatch(/secret internal detail|app\.js|at /);
}
