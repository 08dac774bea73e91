import { InvalidRequestError } from '@psd2/oauth-errors';

/** A parsed `application/x-www-form-urlencoded` body (express's `urlencoded({ extended: false })`). */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

/**
 * RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once." Empty values
 * count as absent (§3.1).
 */
export function param(body: FormBody, name: string): string | undefined {
  const value = body[name];
  if (Array.isArray(value)) {
    throw new InvalidRequestError({ description: `The ${name} parameter is repeated.` });
  }
  return value === '' ? undefined : value;
}

export function requiredParam(body: FormBody, name: string): string {
  const value = param(body, name);
  if (value === undefined)
    throw new InvalidRequestError({ description: `The ${name} parameter is missing.` });
  return value;
}
