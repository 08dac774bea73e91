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
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw refuse(failureOf(part, parsed.error));
}

function refuseParameter(ctx: z.core.$RefinementCtx, input: unknown, message: string): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', message, input, params: { [CLIENT_SAFE]: true } });
  return z.NEVER;
}

/**
 * One form parameter. RFC 6749 §3.2: "Request and response parameters MUST NOT be included more
 * than once"; empty values count as absent (§3.1).
 */
function formParameter(name: string, required: boolean): z.ZodType<string | undefined> {
  const repeated = `The ${name} parameter is repeated.`;
  const missing = `The ${name} parameter is missing.`;
  const malformed = `The ${name} parameter is malformed.`;
  return z.unknown().transform((value, ctx): string | undefined => {
    if (Array.isArray(value)) return refuseParameter(ctx, value, repeated);
    if (value === undefined || value === '') {
      return required ? refuseParameter(ctx, value, missing) : undefined;
    }
    return typeof value === 'string' ? value : refuseParameter(ctx, value, malformed);
  });
}

export type FormFields = Readonly<Record<string, 'required' | 'optional'>>;
type FormValues<F extends FormFields> = {
  readonly [K in keyof F]: F[K] extends 'required' ? string : string | undefined;
};

/**
 * The zod schema of a form body: each named parameter required or optional, each refused when
 * repeated. Parameters it does not name are dropped (RFC 6749 §3.2: "The authorization server MUST
 * ignore unrecognized request parameters"), or kept as they came with `others: 'keep'`, for an
 * endpoint that reads the rest in a second step (the token endpoint, once it knows the grant).
 */
export function formSchema<const F extends FormFields>(fields: F): z.ZodType<FormValues<F>>;
export function formSchema<const F extends FormFields>(
  fields: F,
  options: { readonly others: 'keep' },
): z.ZodType<FormValues<F> & FormBody>;
export function formSchema(fields: FormFields, options?: { readonly others: 'keep' }): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, presence] of Object.entries(fields)) {
    // Optional in zod's sense too, or zod refuses the absent key the transform answers undefined for.
    shape[name] = presence === 'required' ? formParameter(name, true) : formParameter(name, false).optional();
  }
  return options?.others === 'keep' ? z.looseObject(shape) : z.object(shape);
}
