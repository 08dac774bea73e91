export {
  type AuthenticatorOptions,
  CUSTOMER_ID_PATTERN,
  createPsuAuthenticator,
  type FirstFactor,
  type PsuAuthenticator,
  type PsuIdentity,
  type RefusalReason,
  type SignInResult,
} from './authenticator.js';
export {
  type CheckGate,
  type CheckGateOptions,
  createCheckGate,
  PasswordChecksBusyError,
} from './check-gate.js';
export { connectPostgres, type DirectoryDatabase, openPglite } from './database.js';
export {
  createPsuDirectory,
  type NewPsu,
  type PsuDirectory,
  PsuDirectoryInputError,
  type PsuDirectoryOptions,
  type PsuLookup,
} from './directory.js';
export { hashPassword, type PasswordVerifier, scryptVerifier, verifyPassword } from './password.js';
export {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  matchTotp,
  otpauthUri,
  totpAt,
  totpStep,
} from './totp.js';
