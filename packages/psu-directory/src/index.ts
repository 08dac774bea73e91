export { connectPostgres, type DirectoryDatabase, openPglite } from './database.js';
export {
  CUSTOMER_ID_PATTERN,
  createPsuDirectory,
  type FactorCheck,
  type NewPsu,
  type PsuAuthenticator,
  type PsuDirectory,
  PsuDirectoryInputError,
  type PsuDirectoryOptions,
  type PsuIdentity,
  type PsuLookup,
} from './directory.js';
export { hashPassword, verifyPassword } from './password.js';
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
