import type { OpenApiDocument } from '@psd2/openapi';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/*
 * Checks an HTTP response against the OpenAPI document, so that the end-to-end suite fails the moment
 * the code and the document disagree. OpenAPI 3.1 schemas are JSON Schema 2020-12, which Ajv compiles
 * directly. Anything the document does not describe counts as a failure: an unknown path or method, an
 * undocumented status, a content type the response may not have, a missing required header.
 */

export interface ObservedResponse {
  readonly method: string;
  /** Absolute URL or path; the query string is ignored. */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** The body as text; `undefined` when it could not be read (a browser's redirect). */
  readonly body: string | undefined;
}

export interface ResponseValidator {
  /** The ways the response differs from the document; empty when it matches. */
  check(response: ObservedResponse): string[];
}

type Json = Record<string, unknown>;

/** Where the document is registered in Ajv, so that its internal `$ref`s resolve across schemas. */
const BASE = 'urn:psd2:openapi';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of the document whose `#/...` references point into the copy registered under BASE. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (!isObject(value)) return value;
  const copy: Json = {};
  for (const [key, member] of Object.entries(value)) {
    copy[key] =
      key === '$ref' && typeof member === 'string' && member.startsWith('#')
        ? `${BASE}${member}`
        : absoluteRefs(member);
  }
  return copy;
}

function pathTemplateRegExp(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

export function createResponseValidator(document: OpenApiDocument): ResponseValidator {
  const doc = absoluteRefs(document) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The two formats the document uses; `uri` is checked the way a client would parse it.
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('password', true);
  ajv.addSchema({ ...doc, $id: BASE });

  /** A `$ref` (one level or more) to the object it names inside the document. */
  const resolve = (value: unknown): Json | undefined => {
    let current = value;
    for (let depth = 0; depth < 10 && isObject(current) && typeof current.$ref === 'string'; depth++) {
      const pointer = current.$ref.slice(`${BASE}#/`.length).split('/');
      let target: unknown = doc;
      for (const segment of pointer) {
        const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
        target = isObject(target) ? target[key] : undefined;
      }
      current = target;
    }
    return isObject(current) ? current : undefined;
  };

  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: unknown): ValidateFunction => {
    let validate = compiled.get(key);
    if (validate === undefined) {
      validate = ajv.compile(isObject(schema) ? schema : {});
      compiled.set(key, validate);
    }
    return validate;
  };
  const describe = (validate: ValidateFunction) =>
    (validate.errors ?? [])
      .map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`)
      .join('; ');

  const paths = isObject(doc.paths) ? doc.paths : {};
  const templates = Object.keys(paths).map((template) => ({
    template,
    regExp: pathTemplateRegExp(template),
  }));

  return {
    check(response) {
      const problems: string[] = [];
      const path = new URL(response.url, 'https://placeholder.invalid').pathname;
      const method = response.method.toLowerCase();
      const where = `${response.method.toUpperCase()} ${path} -> ${response.status}`;
      const match = templates.find(({ regExp }) => regExp.test(path));
      if (match === undefined) return [`${where}: the path is not in the document`];
      const operation = resolve(resolve(paths[match.template])?.[method]);
      if (operation === undefined) return [`${where}: ${match.template} has no ${method} operation`];
      const responses = resolve(operation.responses) ?? {};
      const documented =
        responses[String(response.status)] ??
        responses[`${String(response.status)[0]}XX`] ??
        responses.default;
      const spec = resolve(documented);
      if (spec === undefined)
        return [`${where}: status ${response.status} is not documented for ${match.template}`];
      const key = `${match.template} ${method} ${response.status}`;

      const headers = resolve(spec.headers) ?? {};
      for (const [name, headerRef] of Object.entries(headers)) {
        const header = resolve(headerRef);
        if (header === undefined) continue;
        const value = response.headers.get(name);
        if (value === null) {
          if (header.required === true) problems.push(`${where}: the required header ${name} is missing`);
          continue;
        }
        const validate = validatorFor(`${key} header ${name}`, header.schema);
        if (!validate(value))
          problems.push(`${where}: header ${name}: ${JSON.stringify(value)} ${describe(validate)}`);
      }

      const content = resolve(spec.content);
      const contentType =
        (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const isRedirect = response.status >= 300 && response.status < 400;
      if (content === undefined) {
        // A redirect's body is never read by a client (express writes a courtesy line); anywhere else
        // an undocumented body is drift.
        if (!isRedirect && response.body !== undefined && response.body.length > 0) {
          problems.push(`${where}: a body (${contentType || 'no content type'}) where the document has none`);
        }
        return problems;
      }
      const media = resolve(content[contentType]);
      if (media === undefined) {
        problems.push(
          `${where}: content type ${JSON.stringify(contentType)} is not one of ${Object.keys(content).join(', ')}`,
        );
        return problems;
      }
      if (response.body === undefined) return problems;
      let instance: unknown = response.body;
      if (contentType === 'application/json' || contentType.endsWith('+json')) {
        try {
          instance = JSON.parse(response.body);
        } catch {
          problems.push(`${where}: the body is not JSON: ${response.body.slice(0, 200)}`);
          return problems;
        }
      }
      const validate = validatorFor(`${key} ${contentType}`, media.schema);
      if (!validate(instance)) {
        problems.push(
          `${where}: body does not match the schema: ${describe(validate)}; body: ${response.body.slice(0, 300)}`,
        );
      }
      return problems;
    },
  };
}
