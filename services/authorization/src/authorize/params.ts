import { InvalidRequestError } from '@psd2/oauth-errors';

/** The query as express's simple parser gives it: a repeated name becomes an array. */
export type RawParams = Readonly<Record<string, unknown>>;

/**
 * One parameter's value. RFC 6749 §3.1: "Request and response parameters MUST NOT be included more
 * than once", so a repeated one is refused rather than one copy picked.
 */
export function single(params: RawParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidRequestError({
      description: `The parameter "${name}" must be given once.`,
      detail: `${name} repeated`,
    });
  }
  return value;
}
