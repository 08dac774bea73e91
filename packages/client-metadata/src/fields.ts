import { z } from 'zod';
import { isHttpsUrl, LANGUAGE_TAG, MAX_LOCALIZED_NAMES, printable, redirectUriProblem } from './rules.js';

/*
 * The kinds of value client metadata is made of. Messages name the member as `{field}`, which
 * issues.ts replaces with its RFC 7591 name, so one rule reads the same from registration and registry.
 */

/** Set on an issue that RFC 7591 §3.2.2 reports as invalid_redirect_uri rather than invalid_client_metadata. */
export const REDIRECT_URI_ISSUE = 'invalid_redirect_uri';

/** RFC 7591 §2 string-valued metadata, trimmed. */
export function text(maxLength: number) {
  return z
    .string({ error: '{field} must be a string.' })
    .trim()
    .min(1, { error: '{field} must not be empty.' })
    .max(maxLength, { error: `{field} must be at most ${maxLength} characters.` });
}

/** RFC 7591 §2 array-of-strings metadata; duplicates are refused rather than silently merged. */
export function textList(limits: { readonly maxItems: number; readonly maxLength: number }) {
  const item = z
    .string({ error: '{field} must hold only non-empty strings.' })
    .trim()
    .min(1, { error: '{field} must hold only non-empty strings.' })
    .max(limits.maxLength, {
      error: `each entry of {field} must be at most ${limits.maxLength} characters.`,
    });
  return z
    .array(item, { error: '{field} must be an array of strings.' })
    .max(limits.maxItems, { error: `{field} must have at most ${limits.maxItems} entries.` })
    .superRefine((items, context) => {
      const twice = items.find((value, index) => items.indexOf(value) !== index);
      if (twice !== undefined)
        context.addIssue({ code: 'custom', message: `{field} lists "${twice}" twice.` });
    })
    .readonly();
}

/** RFC 7591 §2 URI metadata (logo_uri, jwks_uri, ...): an absolute https URL. */
export function httpsUrl(maxLength: number) {
  return text(maxLength).refine(isHttpsUrl, { error: '{field} must be an absolute https URL.' });
}

/** RFC 7591 §2 redirect_uris; see redirectUriProblem. */
export function redirectUris(limits: { readonly maxItems: number; readonly maxLength: number }) {
  return textList(limits).superRefine((uris, context) => {
    for (const uri of uris) {
      const problem = redirectUriProblem(uri);
      if (problem !== undefined) {
        context.addIssue({ code: 'custom', message: problem, params: { error: REDIRECT_URI_ISSUE } });
        return;
      }
    }
  });
}

/**
 * RFC 7591 §2.2 human-readable values in several languages, keyed by BCP 47 tag; in RFC 7591 JSON each
 * is a member `<name>#<tag>` (see rfc7591.ts).
 */
export function localized(maxLength: number) {
  return z
    .record(z.string(), text(maxLength))
    .superRefine((names, context) => {
      const tags = Object.keys(names);
      const bad = tags.find((tag) => !LANGUAGE_TAG.test(tag));
      if (bad !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [bad],
          message: `{field}: "${printable(bad)}" is not a language tag (BCP 47).`,
        });
      } else if (tags.length > MAX_LOCALIZED_NAMES) {
        context.addIssue({
          code: 'custom',
          message: `at most ${MAX_LOCALIZED_NAMES} localised values of {field} are accepted.`,
        });
      }
    })
    .readonly();
}
