import { type PasswordVerifier, scryptVerifier } from './password.js';

/** scrypt, counted: how many real checks and how many burnt ones the sign-ins cost. */
export function countingScrypt(): { counts: { verify: number; burn: number }; verifier: PasswordVerifier } {
  const counts = { verify: 0, burn: 0 };
  const verifier: PasswordVerifier = {
    verify: (password, stored) => {
      counts.verify += 1;
      return scryptVerifier.verify(password, stored);
    },
    burn: (password) => {
      counts.burn += 1;
      return scryptVerifier.burn(password);
    },
  };
  return { counts, verifier };
}
