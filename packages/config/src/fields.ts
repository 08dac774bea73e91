import { accessSync, constants } from 'node:fs';
import { z } from 'zod';

/*
 * Field builders for environment variables. Each takes the raw string (or undefined when unset)
 * and either yields a typed value or reports what the variable must look like. There is no
 * `z.coerce.boolean()` here on purpose: it turns the string "false" into `true`.
 */

function field<T>(expected: string, convert: (raw: string) => T | undefined) {
  return z.string().transform((raw, ctx): T => {
    const value = convert(raw.trim());
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be ${expected}` });
      return z.NEVER;
    }
    return value;
  });
}

export function integer(options: { min: number; max: number; default?: number }) {
  const expected = `an integer from ${options.min} to ${options.max}`;
  const schema = field(expected, (raw) => {
    if (!/^-?\d+$/.test(raw)) return undefined;
    const value = Number(raw);
    return Number.isSafeInteger(value) && value >= options.min && value <= options.max ? value : undefined;
  });
  return options.default === undefined
    ? requiredField(schema, expected)
    : schema.optional().transform((value) => value ?? (options.default as number));
}

export function port(defaultPort?: number) {
  return integer(
    defaultPort === undefined ? { min: 1, max: 65535 } : { min: 1, max: 65535, default: defaultPort },
  );
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function booleanField() {
  return field('one of true, false, 1, 0, yes, no, on, off', (raw) => {
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return undefined;
  });
}

export function flag(defaultValue: boolean) {
  return booleanField()
    .optional()
    .transform((value) => value ?? defaultValue);
}

/** A true/false setting whose default depends on another setting: undefined when unset. */
export function optionalFlag() {
  return booleanField().optional();
}

function enumField<const T extends readonly [string, ...string[]]>(values: T) {
  const expected = `one of ${values.join(', ')}`;
  const schema = field(expected, (raw): T[number] | undefined => values.find((value) => value === raw));
  return { schema, expected };
}

/** One of a closed set of words, with a default. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
  return enumField(values)
    .schema.optional()
    .transform((value): T[number] => value ?? defaultValue);
}

export function requiredOneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const { schema, expected } = enumField(values);
  return requiredField(schema, expected);
}

function urlField(protocols: readonly string[]) {
  const expected = `an absolute URL with scheme ${protocols.map((p) => `${p}:`).join(' or ')}`;
  const schema = field(expected, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const parsed = new URL(raw);
    return protocols.includes(parsed.protocol.slice(0, -1)) ? parsed : undefined;
  });
  return { schema, expected };
}

export function url(protocols: readonly string[], defaultUrl: string) {
  const fallback = new URL(defaultUrl);
  return urlField(protocols)
    .schema.optional()
    .transform((value) => value ?? fallback);
}

export function optionalUrl(protocols: readonly string[]) {
  return urlField(protocols).schema.optional();
}

export function requiredUrl(protocols: readonly string[]) {
  const { schema, expected } = urlField(protocols);
  return requiredField(schema, expected);
}

export function text(defaultValue?: string) {
  const schema = field('a non-empty string', (raw) => (raw.length > 0 ? raw : undefined));
  return defaultValue === undefined
    ? requiredField(schema, 'a non-empty string')
    : schema.optional().transform((value) => value ?? defaultValue);
}

export function optionalText() {
  return field('a non-empty string', (raw) => (raw.length > 0 ? raw : undefined)).optional();
}

/** A comma-separated list, e.g. `EDGE_PEER_NAMES=psd2-edge,spiffe://cluster.local/ns/psd2/sa/edge`. */
export function list(defaultValue: readonly string[]) {
  return z
    .string()
    .optional()
    .transform((raw) =>
      raw === undefined
        ? [...defaultValue]
        : raw
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0),
    );
}

export function host(defaultHost: string) {
  return field('a host name or IP address', (raw) => (/^[\w.:-]+$/.test(raw) ? raw : undefined))
    .optional()
    .transform((value) => value ?? defaultHost);
}

export const DEPLOYMENT_MODES = ['sandbox', 'bank'] as const;
export type DeploymentMode = (typeof DEPLOYMENT_MODES)[number];

/**
 * `DEPLOYMENT_MODE`: `bank` (real PSUs, shared stores required, nothing seeded) or `sandbox`. Unset
 * means `bank`: a forgotten variable must never turn a bank's deployment into a demo. `pnpm start`
 * and the test harnesses ask for `sandbox` explicitly.
 */
export function deploymentMode() {
  return oneOf(DEPLOYMENT_MODES, 'bank');
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevel(defaultLevel: LogLevel = 'info') {
  return oneOf(LOG_LEVELS, defaultLevel);
}

function requiredField<T>(schema: z.ZodType<T, string>, expected: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `is required: ${expected}` : `must be ${expected}`),
    })
    .pipe(schema);
}

/** A path to a file this process can read, e.g. a mounted certificate; required. */
export function readableFile() {
  const schema = field('a readable file', (raw) => {
    if (raw.length === 0) return undefined;
    try {
      accessSync(raw, constants.R_OK);
      return raw;
    } catch {
      return undefined;
    }
  });
  return requiredField(schema, 'a readable file');
}

/** A comma-separated list that must name at least one item. */
export function nonEmptyList(defaultValue: readonly [string, ...string[]]) {
  return list(defaultValue).refine((items) => items.length > 0, { message: 'must name at least one item' });
}

/**
 * The variables every HTTP service reads: where it listens (PORT: HTTPS that only the edge may use;
 * HEALTH_PORT, by default PORT + 1000: plain HTTP for the probes alone) and how much it logs. The
 * listener's TLS files are @psd2/http's (edgeListenerSettings), added by runHttpService.
 */
export function httpServiceFields(defaultPort: number) {
  return {
    PORT: port(defaultPort),
    HEALTH_PORT: port(defaultPort + 1000),
    HOST: host('127.0.0.1'),
    LOG_LEVEL: logLevel(),
  };
}
