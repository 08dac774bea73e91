import { defineEndpoint, type Endpoint, type EndpointResult, type RequestBasics } from '@psd2/http';
import { z } from 'zod';
import { CSRF_FIELD } from '../html/pages.js';
import type { SessionFlow, SessionOf } from '../session/session.js';
import { type PageDependencies, requireFlow } from './dependencies.js';
import { loadPostedSession } from './session-access.js';

/**
 * A posted form field as the pages read it: a string, or undefined when absent or repeated, which
 * each step answers as it answers a missing one (a CSRF refusal, a denial, the picker again).
 */
const formField = z
  .unknown()
  .transform((value) => (typeof value === 'string' ? value : undefined))
  .optional();

/** A step's form: each named field (and the CSRF token) a string or undefined. */
type FormOf<N extends string> = Readonly<Record<N | typeof CSRF_FIELD, string | undefined>>;

/**
 * Not @psd2/http's formSchema, on purpose: that one refuses a repeated parameter (RFC 6749 §3.2, an
 * API caller's error), while a page answers a repeated field as a missing one (see formField).
 */
function pageFormSchema(names: readonly string[]) {
  return z.object(Object.fromEntries([CSRF_FIELD, ...names].map((name) => [name, formField])));
}

/** A live session of the flow, posted with its CSRF token. */
export interface Posted<F extends SessionFlow> {
  readonly id: string;
  readonly session: SessionOf<F>;
}

/** What a step does with its form, once formStep has checked the session and the CSRF token. */
export type StepHandler<F extends SessionFlow, N extends string> = (
  request: RequestBasics,
  form: FormOf<N>,
  posted: Posted<F>,
) => Promise<EndpointResult>;

/**
 * The POST of a step's form: the flow served here, a live session of it, the CSRF token checked, then
 * the step with the form's fields.
 */
export function formStep<F extends SessionFlow, N extends string>(
  deps: PageDependencies,
  spec: {
    readonly path: string;
    readonly flow: F;
    readonly fields: readonly N[];
    readonly handle: StepHandler<F, N>;
  },
): Endpoint {
  return defineEndpoint({
    method: 'POST',
    path: spec.path,
    accepts: 'form',
    response: 'page',
    input: { body: pageFormSchema(spec.fields) },
    handle: async (ctx) => {
      requireFlow(deps, spec.flow);
      const posted = await loadPostedSession(deps, ctx, spec.flow, ctx.body[CSRF_FIELD]);
      // The schema has exactly the named fields.
      return spec.handle(ctx, ctx.body as FormOf<N>, posted);
    },
  });
}
