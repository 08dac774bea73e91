import { InvalidRequestError } from '@psd2/oauth-errors';
import type { Response } from 'express';

/** A parsed `application/x-www-form-urlencoded` body (`acceptBody('form')`, express's `extended: false`). */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

/**
 * RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once." Empty values
 * count as absent (§3.1).
 */
export function formParam(body: FormBody, name: string): string | undefined {
  const value = body[name];
  if (Array.isArray(value)) {
    throw new InvalidRequestError({ description: `The ${name} parameter is repeated.` });
  }
  return value === '' ? undefined : value;
}

export function requiredFormParam(body: FormBody, name: string): string {
  const value = formParam(body, name);
  if (value === undefined)
    throw new InvalidRequestError({ description: `The ${name} parameter is missing.` });
  return value;
}

/** Responses that carry credentials, or refuse them, are never cached (RFC 6749 §5.1, RFC 7009 §2.2). */
export function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
}
