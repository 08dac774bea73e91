import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { env } from './index.js';
import { ConfigError, parseConfig } from './parse.js';

const schema = z.object({
  PORT: env.port(8080),
  DEBUG_PAGES: env.flag(false),
  MODE: env.oneOf(['sandbox', 'bank'], 'sandbox'),
  ISSUER: env.url(['https'], 'https://localhost:8443'),
  DATABASE_URL: env.optionalUrl(['postgres', 'postgresql']),
  EDGE_PEER_NAMES: env.list(['psd2-edge']),
});

function issuesOf(source: NodeJS.ProcessEnv) {
  try {
    parseConfig(schema, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults when variables are unset or empty', () => {
    const config = parseConfig(schema, { PORT: '', MODE: undefined });
    expect(config.PORT).toBe(8080);
    expect(config.DEBUG_PAGES).toBe(false);
    expect(config.MODE).toBe('sandbox');
    expect(config.ISSUER.href).toBe('https://localhost:8443/');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.EDGE_PEER_NAMES).toEqual(['psd2-edge']);
  });

  it('parses set values into typed ones', () => {
    const config = parseConfig(schema, {
      PORT: '9000',
      DEBUG_PAGES: 'true',
      MODE: 'bank',
      DATABASE_URL: 'postgres://db/app',
      EDGE_PEER_NAMES: 'psd2-edge, spiffe://cluster.local/ns/psd2/sa/edge',
    });
    expect(config).toMatchObject({ PORT: 9000, DEBUG_PAGES: true, MODE: 'bank' });
    expect(config.DATABASE_URL?.host).toBe('db');
    expect(config.EDGE_PEER_NAMES).toEqual(['psd2-edge', 'spiffe://cluster.local/ns/psd2/sa/edge']);
  });

  it('reads "false" as false, unlike z.coerce.boolean()', () => {
    expect(parseConfig(schema, { DEBUG_PAGES: 'false' }).DEBUG_PAGES).toBe(false);
    expect(parseConfig(schema, { DEBUG_PAGES: '0' }).DEBUG_PAGES).toBe(false);
  });

  it.each([
    ['PORT', 'abc', 'must be an integer from 1 to 65535'],
    ['PORT', '70000', 'must be an integer from 1 to 65535'],
    ['PORT', '80.5', 'must be an integer from 1 to 65535'],
    ['DEBUG_PAGES', 'maybe', 'must be one of true, false'],
    ['MODE', 'prod', 'must be one of sandbox, bank'],
    ['ISSUER', 'http://localhost', 'must be an absolute URL with scheme https:'],
    ['DATABASE_URL', 'not a url', 'must be an absolute URL with scheme postgres: or postgresql:'],
  ])('names %s when it is %p', (variable, value, message) => {
    const issues = issuesOf({ [variable]: value });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.variable).toBe(variable);
    expect(issues[0]?.message).toContain(message);
  });

  it('never echoes the rejected value, which may be a secret', () => {
    const issues = issuesOf({ DATABASE_URL: 'secret-password-here' });
    expect(JSON.stringify(issues)).not.toContain('secret-password-here');
  });

  it('reports a required variable that is missing', () => {
    const required = z.object({ REDIS_URL: env.requiredUrl(['redis']) });
    expect(() => parseConfig(required, {})).toThrow(
      'REDIS_URL is required: an absolute URL with scheme redis:',
    );
  });
});

describe('env.deploymentMode', () => {
  const modeSchema = z.object({ DEPLOYMENT_MODE: env.deploymentMode() });

  it('is bank when unset or empty: a forgotten variable never makes a demo of a bank', () => {
    expect(parseConfig(modeSchema, {}).DEPLOYMENT_MODE).toBe('bank');
    expect(parseConfig(modeSchema, { DEPLOYMENT_MODE: '' }).DEPLOYMENT_MODE).toBe('bank');
  });

  it('is sandbox only when asked for, and names the variable for anything else', () => {
    expect(parseConfig(modeSchema, { DEPLOYMENT_MODE: 'sandbox' }).DEPLOYMENT_MODE).toBe('sandbox');
    expect(() => parseConfig(modeSchema, { DEPLOYMENT_MODE: 'production' })).toThrow(
      'DEPLOYMENT_MODE must be one of sandbox, bank',
    );
  });
});

describe('env.readableFile and env.nonEmptyList', () => {
  const tlsSchema = z.object({
    TLS_CERT_FILE: env.readableFile(),
    EDGE_PEER_NAMES: env.nonEmptyList(['psd2-edge']),
  });

  it('takes a file this process can read, and a list with at least one name', () => {
    const config = parseConfig(tlsSchema, { TLS_CERT_FILE: fileURLToPath(import.meta.url) });
    expect(config.TLS_CERT_FILE).toBe(fileURLToPath(import.meta.url));
    expect(config.EDGE_PEER_NAMES).toEqual(['psd2-edge']);
  });

  it('names the variable of a missing or unreadable file, and of an empty list', () => {
    expect(() => parseConfig(tlsSchema, {})).toThrow('TLS_CERT_FILE is required: a readable file');
    expect(() => parseConfig(tlsSchema, { TLS_CERT_FILE: '/nonexistent/tls.crt' })).toThrow(
      'TLS_CERT_FILE must be a readable file',
    );
    expect(() =>
      parseConfig(tlsSchema, { TLS_CERT_FILE: fileURLToPath(import.meta.url), EDGE_PEER_NAMES: ' , ' }),
    ).toThrow('EDGE_PEER_NAMES must name at least one item');
  });
});
