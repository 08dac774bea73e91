import { InvalidRequestError } from '@psd2/oauth-errors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

export type BodyKind = 'form' | 'json';

const MEDIA_TYPES: Record<BodyKind, string> = {
  form: 'application/x-www-form-urlencoded',
  json: 'application/json',
};

/**
 * A route accepts exactly one body media type. Anything else is refused before parsing, so that a
 * JSON body can never be read as a form (or the reverse) by a lenient parser.
 */
export function acceptBody(kind: BodyKind, options: { limit?: string } = {}): RequestHandler[] {
  const mediaType = MEDIA_TYPES[kind];
  const limit = options.limit ?? '16kb';
  const requireMediaType = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is(mediaType)) {
      next(
        new InvalidRequestError({
          status: 415,
          description: `The request body must be ${mediaType}.`,
          detail: `content-type was ${JSON.stringify(req.get('content-type') ?? null)}`,
        }),
      );
      return;
    }
    next();
  };
  const parse =
    kind === 'json'
      ? express.json({ limit, strict: true, type: mediaType })
      : express.urlencoded({ limit, extended: false, parameterLimit: 100, type: mediaType });
  return [requireMediaType, parse];
}
