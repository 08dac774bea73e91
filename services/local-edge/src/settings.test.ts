import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@psd2/config';
import { localEdgeSchema } from './settings.js';

describe('local edge settings', () => {
  it('calls the services over https only, by default on 127.0.0.1:8081 to 8084', () => {
    const config = parseConfig(localEdgeSchema, {});
    expect(config.TOKEN_UPSTREAM.href).toBe('https://127.0.0.1:8083/');
    expect(() => parseConfig(localEdgeSchema, { TOKEN_UPSTREAM: 'http://127.0.0.1:8083' })).toThrow(
      /TOKEN_UPSTREAM must be/,
    );
  });
});
