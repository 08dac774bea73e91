import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

/*
 * Validates an Envoy bootstrap (already parsed from YAML) against Envoy's own v3 protos, the way
 * Envoy's config loader does before anything starts: every key must be a field of its message
 * (unknown fields are an error), scalars and enums must have the right type, a oneof takes one
 * member, the protoc-gen-validate rules Envoy enforces for presence hold (required messages and oneofs,
 * non-empty strings and lists), deprecated fields are refused, and every `typed_config`
 * (google.protobuf.Any) is resolved by its `@type` and checked in turn. There is no Envoy binary here; this is the next best thing to `envoy --mode validate`.
 *
 * The protos come from @grpc/grpc-js-xds, which vendors envoyproxy/data-plane-api with its
 * dependencies (xds, udpa, googleapis, protoc-gen-validate). Test-only: nothing imports this at run time.
 */

const ANY = 'google.protobuf.Any';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

function protoRoots(): string[] {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const deps = join(packageDir, 'deps');
  return [
    join(deps, 'envoy-api'),
    join(deps, 'xds'),
    join(deps, 'googleapis'),
    join(deps, 'protoc-gen-validate'),
    // google/protobuf/descriptor.proto, which the option annotations extend; protobufjs ships it.
    dirname(require.resolve('protobufjs/package.json')),
  ];
}

export interface EnvoySchema {
  /** Problems found, each with its path in the document; empty when the bootstrap is valid. */
  validateBootstrap(config: unknown): string[];
  /** Checks a value against any message type, e.g. one filter's typed_config. */
  validate(config: unknown, typeName: string): string[];
  /** Whether a message type (an `@type` without its prefix) exists in Envoy's API. */
  hasType(typeName: string): boolean;
}

export function loadEnvoySchema(): EnvoySchema {
  const includeDirs = protoRoots();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (existsSync(target)) return target;
    for (const dir of includeDirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    // Other google/protobuf/*.proto: protobufjs has them built in and never opens the path.
    return target;
  };
  const envoyApi = includeDirs[0] ?? '';
  root.loadSync(join(envoyApi, 'envoy/config/bootstrap/v3/bootstrap.proto'), { keepCase: true });

  /**
   * Finds a message type, loading on first use the one file of its package that declares it (Envoy
   * lays packages out as directories). Only that file: its neighbours may import protos the package
   * does not ship (the OpenCensus tracer's, for one).
   */
  function findType(name: string): protobuf.Type | undefined {
    const existing = root.lookup(name);
    if (existing instanceof protobuf.Type) return existing;
    const dot = name.lastIndexOf('.');
    const packagePath = name.slice(0, dot).split('.');
    const declaration = new RegExp(`^message ${name.slice(dot + 1)} \\{`, 'm');
    for (const base of includeDirs) {
      const dir = join(base, ...packagePath);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        if (!file.endsWith('.proto')) continue;
        const path = join(dir, file);
        if (declaration.test(readFileSync(path, 'utf8'))) root.loadSync(path, { keepCase: true });
      }
    }
    const loaded = root.lookup(name);
    return loaded instanceof protobuf.Type ? loaded : undefined;
  }

  function validateAny(value: unknown, path: string, issues: string[]): void {
    if (!isObject(value)) {
      issues.push(`${path}: expected an object with "@type"`);
      return;
    }
    const typeUrl = value['@type'];
    if (typeof typeUrl !== 'string' || !typeUrl.startsWith(TYPE_URL_PREFIX)) {
      issues.push(`${path}: "@type" must be ${TYPE_URL_PREFIX}<message>`);
      return;
    }
    const typeName = typeUrl.slice(TYPE_URL_PREFIX.length);
    const type = findType(typeName);
    if (type === undefined) {
      issues.push(`${path}: unknown @type ${typeName}`);
      return;
    }
    const { '@type': _typeUrl, ...fields } = value;
    validateMessage(fields, type, `${path}<${typeName}>`, issues);
  }

  function validateMessage(value: unknown, type: protobuf.Type, path: string, issues: string[]): void {
    const name = type.fullName.slice(1);
    if (name === ANY) {
      validateAny(value, path, issues);
      return;
    }
    const wellKnown = WELL_KNOWN[name];
    if (wellKnown !== undefined) {
      if (!wellKnown(value)) issues.push(`${path}: not a valid ${name}`);
      return;
    }
    if (!isObject(value)) {
      issues.push(`${path}: expected a ${name} object`);
      return;
    }
    const oneofMembers = new Map<string, string>();
    for (const [key, fieldValue] of Object.entries(value)) {
      const fieldPath = `${path}.${key}`;
      const field = type.fields[key];
      if (field === undefined) {
        issues.push(`${fieldPath}: unknown field of ${name}`);
        continue;
      }
      if (field.partOf !== null && field.partOf !== undefined) {
        const other = oneofMembers.get(field.partOf.name);
        if (other !== undefined) {
          issues.push(`${fieldPath}: oneof ${field.partOf.name} already has ${other}`);
        }
        oneofMembers.set(field.partOf.name, key);
      }
      if (field.options?.deprecated === true) issues.push(`${fieldPath}: deprecated field of ${name}`);
      field.resolve();
      if (field instanceof protobuf.MapField) {
        if (!isObject(fieldValue)) issues.push(`${fieldPath}: expected a map`);
        else
          for (const [k, v] of Object.entries(fieldValue))
            validateField(field, v, `${fieldPath}.${k}`, issues);
      } else if (field.repeated) {
        if (!Array.isArray(fieldValue)) issues.push(`${fieldPath}: expected a list`);
        else {
          for (const [index, item] of fieldValue.entries()) {
            validateField(field, item, `${fieldPath}[${index}]`, issues);
          }
        }
      } else {
        validateField(field, fieldValue, fieldPath, issues);
      }
    }
    checkPresence(value, type, path, issues);
  }

  function validateField(field: protobuf.Field, value: unknown, path: string, issues: string[]): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      validateMessage(value, resolved, path, issues);
      return;
    }
    if (resolved instanceof protobuf.Enum) {
      const known = typeof value === 'string' ? value in resolved.values : Number.isInteger(value);
      if (!known) issues.push(`${path}: ${String(value)} is not a value of ${resolved.fullName.slice(1)}`);
      return;
    }
    if (!scalarMatches(field.type, value))
      issues.push(`${path}: expected ${field.type}, got ${typeof value}`);
  }

  return {
    validateBootstrap(config) {
      return this.validate(config, 'envoy.config.bootstrap.v3.Bootstrap');
    },
    hasType(typeName) {
      return findType(typeName) !== undefined;
    },
    validate(config, typeName) {
      const type = findType(typeName);
      if (type === undefined) return [`unknown message type ${typeName}`];
      const issues: string[] = [];
      validateMessage(config, type, '$', issues);
      return issues;
    },
  };
}

/**
 * The presence rules of protoc-gen-validate that Envoy checks on load: `message.required` (and its
 * duration, timestamp and any forms), `string.min_len`, `repeated.min_items`, and required oneofs.
 */
function checkPresence(
  value: Record<string, unknown>,
  type: protobuf.Type,
  path: string,
  issues: string[],
): void {
  const name = type.fullName.slice(1);
  for (const field of type.fieldsArray) {
    // A oneof member's rules apply only when it is the member chosen; the oneof rule is checked below.
    if (field.partOf !== null && field.partOf !== undefined) continue;
    const options = field.options ?? {};
    const present = value[field.name];
    const required =
      options['(validate.rules).message.required'] === true ||
      options['(validate.rules).duration.required'] === true ||
      options['(validate.rules).timestamp.required'] === true ||
      options['(validate.rules).any.required'] === true;
    if (required && present === undefined) issues.push(`${path}.${field.name}: required by ${name}`);
    const minLength = options['(validate.rules).string.min_len'];
    if (typeof minLength === 'number' && minLength > 0 && (present === undefined || present === '')) {
      issues.push(`${path}.${field.name}: must be a non-empty string in ${name}`);
    }
    const minItems = options['(validate.rules).repeated.min_items'];
    if (typeof minItems === 'number' && (!Array.isArray(present) || present.length < minItems)) {
      issues.push(`${path}.${field.name}: needs at least ${minItems} item(s) in ${name}`);
    }
  }
  for (const oneof of type.oneofsArray) {
    if (oneof.options?.['(validate.required)'] === true && !oneof.oneof.some((member) => member in value)) {
      issues.push(`${path}: one of ${oneof.oneof.join(', ')} is required by ${name}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INTEGER_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** proto3 JSON mapping (as Envoy's YAML loader applies it): 64-bit integers may also be strings. */
function scalarMatches(type: string, value: unknown): boolean {
  if (type === 'string' || type === 'bytes') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (type === 'double' || type === 'float') return typeof value === 'number';
  if (INTEGER_TYPES.has(type)) return Number.isInteger(value);
  if (LONG_TYPES.has(type))
    return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
  return false;
}

const DURATION = /^-?\d+(\.\d{1,9})?s$/;

const WELL_KNOWN: Record<string, (value: unknown) => boolean> = {
  'google.protobuf.Duration': (value) => typeof value === 'string' && DURATION.test(value),
  'google.protobuf.Timestamp': (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
  'google.protobuf.Struct': isObject,
  'google.protobuf.Value': () => true,
  'google.protobuf.ListValue': Array.isArray,
  'google.protobuf.Empty': (value) => isObject(value) && Object.keys(value).length === 0,
  'google.protobuf.BoolValue': (value) => typeof value === 'boolean',
  'google.protobuf.StringValue': (value) => typeof value === 'string',
  'google.protobuf.BytesValue': (value) => typeof value === 'string',
  'google.protobuf.DoubleValue': (value) => typeof value === 'number',
  'google.protobuf.FloatValue': (value) => typeof value === 'number',
  'google.protobuf.UInt32Value': (value) => Number.isInteger(value) && (value as number) >= 0,
  'google.protobuf.Int32Value': Number.isInteger,
  'google.protobuf.UInt64Value': (value) => scalarMatches('uint64', value),
  'google.protobuf.Int64Value': (value) => scalarMatches('int64', value),
};
