import { InvalidRequestError, type OAuthError } from '@psd2/oauth-errors';
import { z } from 'zod';
import type { FormBody } from './form.js';

/** Which part of the request an input schema refused. */
export type InputPart = 'params' | 'query' | 'body';

/** A refused input, for an endpoint's own mapping to an OAuth error (registration: invalid_client_metadata). */
export interface InputFailure {
  readonly part: InputPart;
  readonly error: z.ZodError;
  /** Safe to show the client: set by the form parameter schemas below; otherwise undefined. */
  readonly description: string | undefined;
  /** For the log only: where and why, in zod's words. */
  readonly detail: string;
}

export type InputRefusal = (failure: InputFailure) => OAuthError;

/** Marks an issue whose message was written for the client (the form parameter schemas below). */
const CLIENT_SAFE = 'psd2.clientSafe';

function failureOf(part: InputPart, error: z.ZodError): InputFailure {
  const issue = error.issues[0];
  const safe = issue?.code === 'custom' && issue.params?.[CLIENT_SAFE] === true;
  const where = issue === undefined || issue.path.length === 0 ? part : `${part}.${issue.path.join('.')}`;
  return {
    part,
    error,
    description: safe ? issue.message : undefined,
    detail: `${where}: ${issue?.message ?? 'invalid'}`,
  };
}

/** invalid_request, with the schema's own words when they were written for the client. */
export const invalidRequest: InputRefusal = (failure) =>
  new InvalidRequestError({
    description: failure.description ?? 'The request is malformed.',
    detail: failure.detail,
  });

/**
 * `schema`'s output for `value`, or the OAuth error `refuse` makes of the failure. The layer runs it
 * on each declared input; a handler may run it on a part it reads in a second step (a grant's
 * parameters, once the grant type is known).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: InputPart,
  refuse: InputRefusal = invalidRequest,
): z.output<S> {
  const formCheck = FORM_CHECKS.get(schema);
  if (formCheck !== undefined) {
    const checked = formCheck(value);
    if (checked.ok) return checked.values as z.output<S>;
    throw refuse(failureOf(part, new z.ZodError([checked.issue])));
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw refuse(failureOf(part, parsed.error));
}

/** One named parameter of a form schema, with the words the client gets when it is refused. */
interface FormField {
  readonly name: string;
  readonly required: boolean;
  readonly repeated: string;
  readonly missing: string;
  readonly malformed: string;
}

export type FormFields = Readonly<Record<string, 'required' | 'optional'>>;
type FormValues<F extends FormFields> = {
  readonly [K in keyof F]: F[K] extends 'required' ? string : string | undefined;
};

/**
 * The zod schema of a form body: each named parameter required or optional, each refused when
 * repeated (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once"),
 * empty ones absent (§3.1). Parameters it does not name are dropped (§3.2: "The authorization server
 * MUST ignore unrecognized request parameters"), or kept as they came with `others: 'keep'`, for an
 * endpoint that reads the rest in a second step (the token endpoint, once it knows the grant).
 * One zod node for the whole form, not one per parameter: it runs on every token request, where a
 * node per parameter cost about a microsecond more (zod's per-node bookkeeping); parseInput runs its
 * check directly (FORM_CHECKS).
 */
export function formSchema<const F extends FormFields>(fields: F): z.ZodType<FormValues<F>>;
export function formSchema<const F extends FormFields>(
  fields: F,
  options: { readonly others: 'keep' },
): z.ZodType<FormValues<F> & FormBody>;
export function formSchema(fields: FormFields, options?: { readonly others: 'keep' }): z.ZodType {
  const keepOthers = options?.others === 'keep';
  const named: FormField[] = Object.entries(fields).map(([name, presence]) => ({
    name,
    required: presence === 'required',
    repeated: `The ${name} parameter is repeated.`,
    missing: `The ${name} parameter is missing.`,
    malformed: `The ${name} parameter is malformed.`,
  }));
  const check = (input: unknown) => checkForm(named, keepOthers, input);
  const schema = z.unknown().transform((input, ctx) => {
    const checked = check(input);
    if (checked.ok) return checked.values;
    ctx.issues.push({ ...checked.issue });
    return z.NEVER;
  });
  FORM_CHECKS.set(schema, check);
  return schema;
}

type FormCheck = (input: unknown) => FormChecked;
type FormChecked =
  | { readonly ok: true; readonly values: Record<string, unknown> }
  | { readonly ok: false; readonly issue: FormIssue };

/** A refusal, in the shape zod's custom issues have (for ctx.issues and for a ZodError alike). */
interface FormIssue {
  readonly code: 'custom';
  readonly message: string;
  readonly input: unknown;
  readonly path: PropertyKey[];
  readonly params?: Record<string, unknown>;
}

/**
 * Each form schema's check, for parseInput to run without zod's per-parse bookkeeping: on the token
 * path, two parses per request through zod cost about 2 µs more than the checks themselves (measured
 * with a CPU profile of the token service, issue 16).
 */
const FORM_CHECKS = new WeakMap<z.ZodType, FormCheck>();

function refusal(field: FormField, value: unknown, message: string): FormChecked {
  return {
    ok: false,
    issue: { code: 'custom', message, input: value, path: [field.name], params: { [CLIENT_SAFE]: true } },
  };
}

/**
 * The form's named parameters, checked. With `others` kept, a form whose named parameters need no
 * change is answered as it is (no copy: the token path); otherwise the values are a fresh object with
 * the named parameters only, or all of the form's (a null-prototype copy, as parseForm's).
 */
function checkForm(named: readonly FormField[], keepOthers: boolean, input: unknown): FormChecked {
  if (typeof input !== 'object' || input === null) {
    return {
      ok: false,
      issue: { code: 'custom', message: 'The request body is not a form.', input, path: [] },
    };
  }
  const form = input as Readonly<Record<string, unknown>>;
  let emptied = false;
  for (const field of named) {
    const value = form[field.name];
    if (typeof value === 'string' && value !== '') continue;
    if (value === undefined || value === '') {
      if (field.required) return refusal(field, value, field.missing);
      emptied ||= value === '';
    } else return refusal(field, value, Array.isArray(value) ? field.repeated : field.malformed);
  }
  if (keepOthers && !emptied) return { ok: true, values: form as Record<string, unknown> };
  const values: Record<string, unknown> = keepOthers ? Object.assign(Object.create(null), form) : {};
  for (const field of named) {
    const value = form[field.name];
    values[field.name] = value === '' ? undefined : value;
  }
  return { ok: true, values };
}
