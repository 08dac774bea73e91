import { expect } from '@jest/globals';
import { InvalidClientMetadataError, InvalidRedirectUriError, type OAuthError } from '@psd2/oauth-errors';
import type { MetadataContext } from './metadata.js';

/* Shared by the metadata unit tests: a certificate context and the refusals they expect. */

export const SUBJECT = 'CN=Demo TPP A QWAC,2.5.4.97=PSDFR-ACPR-12345,O=Demo TPP A,C=FR';
export const ALL_ROLES = { roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'] as const, subjectDn: SUBJECT };
export const context: MetadataContext = { certificate: ALL_ROLES };

/** Runs `work`, expecting an OAuth error of `type`; returns it for its description. */
export function refusal(work: () => unknown, type: new (...args: never[]) => OAuthError): OAuthError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as OAuthError;
  }
  throw new Error('expected a refusal');
}

export const metadataRefusal = (work: () => unknown) => refusal(work, InvalidClientMetadataError);
export const redirectRefusal = (work: () => unknown) => refusal(work, InvalidRedirectUriError);
