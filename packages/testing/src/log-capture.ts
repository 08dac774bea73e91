import { Writable } from 'node:stream';
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
