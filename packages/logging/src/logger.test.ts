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

  it('censors secrets one level down in copies: errors stay errors, the caller objects are untouched', () => {
    const { lines, destination } = capture();
    const error = Object.assign(new Error('refused'), { token: 'tok-secret', code: 'E_REFUSED' });
    const request = { authorization: 'Bearer hdr-secret', accept: 'json', totp: '123456' };
    createLogger({ name: 'token', level: 'info', destination }).info({ err: error, request }, 'oops');
    const line = lines[0] as {
      err: { message: string; stack: string; token: string; code: string };
      request: Record<string, string>;
    };
    expect(JSON.stringify(line)).not.toMatch(/tok-secret|hdr-secret|123456/);
    expect(line.err).toMatchObject({ message: 'refused', token: '[redacted]', code: 'E_REFUSED' });
    expect(line.err.stack).toContain('refused');
    expect(line.request.accept).toBe('json');
    expect(error.token).toBe('tok-secret');
    expect(request.totp).toBe('123456');
  });

  it('censors secret names in a child logger bindings too', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'token', level: 'info', destination });
    logger.child({ request_id: 'r1', token: 'tok-secret' }).info({ body: { code: 'c-secret' } }, 'inside');
    expect(JSON.stringify(lines[0])).not.toMatch(/tok-secret|c-secret/);
    expect(lines[0]).toMatchObject({ request_id: 'r1' });
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
