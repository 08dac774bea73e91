import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger } from './logger.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name and a readable level', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'token', level: 'info', destination }).info({ client_id: 'c1' }, 'issued');
    expect(lines[0]).toMatchObject({ service: 'token', level: 'info', msg: 'issued', client_id: 'c1' });
  });

  it('redacts secret fields wherever they appear', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'token', level: 'info', destination }).info(
      {
        refresh_token: 'rt-secret',
        body: { password: 'pw-secret', code: 'code-secret' },
        err: { code: 'ECONNREFUSED' },
      },
      'oops',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/rt-secret|pw-secret|code-secret/);
    expect(line).toContain('ECONNREFUSED');
  });

  it('carries the active span ids', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'token', level: 'info', destination });
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => logger.info('inside'));
    expect(lines[0]).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
  });
});
