import { InvalidRequestError } from '@psd2/oauth-errors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

export type BodyKind = 'form' | 'json';

const MEDIA_TYPES: Record<BodyKind, string> = {
  form: 'application/x-www-form-urlencoded',
  json: 'application/json',
};

/** 16 KiB and 100 parameters are far above any OAuth or registration request. */
export const BODY_LIMITS = { bytes: 16 * 1024, parameters: 100 } as const;

/** 415 for a body of another media type than the route's. */
export function wrongMediaType(mediaType: string, contentType: string | undefined): InvalidRequestError {
  return new InvalidRequestError({
    status: 415,
    description: `The request body must be ${mediaType}.`,
    detail: `content-type was ${JSON.stringify(contentType ?? null)}`,
  });
}

/**
 * A route accepts exactly one body media type. Anything else is refused before parsing, so that a
 * JSON body can never be read as a form (or the reverse) by a lenient parser. Content-coded bodies
 * (`Content-Encoding` other than `identity`) are refused with 415 (RFC 9110 §15.5.16), as the form
 * endpoints refuse them (form-endpoint.ts): these bodies are a few hundred bytes, and one rule
 * everywhere means a gzip header on an uncompressed body is the same 415 on every route.
 */
export function acceptBody(kind: BodyKind, options: { limit?: string } = {}): RequestHandler[] {
  const mediaType = MEDIA_TYPES[kind];
  const limit = options.limit ?? BODY_LIMITS.bytes;
  const requireMediaType = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is(mediaType)) {
      next(wrongMediaType(mediaType, req.get('content-type')));
      return;
    }
    next();
  };
  const parse =
    kind === 'json'
      ? express.json({ limit, strict: true, type: mediaType, inflate: false })
      : express.urlencoded({
          limit,
          inflate: false,
          extended: false,
          parameterLimit: BODY_LIMITS.parameters,
          type: mediaType,
        });
  return [requireMediaType, parse];
}
