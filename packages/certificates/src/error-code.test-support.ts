import { CertificateError, type CertificateErrorCode } from './errors.js';

/** The code of the CertificateError `run` throws, undefined when it throws none; anything else is rethrown. */
export function codeOf(run: () => unknown): CertificateErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CertificateError) return error.code;
    throw error;
  }
  return undefined;
}
