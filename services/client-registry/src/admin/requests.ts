import { SuspendableRole as RoleMessage } from '@psd2/admin-proto';
import { RegistryError } from '../errors.js';
import { checkReason, type SuspendableRole } from '../suspensions.js';

/*
 * The admin API's request checks: each field refused with INVALID_ARGUMENT and a message naming it,
 * before anything is read or changed.
 */

const ROLE_OF_MESSAGE: Readonly<Partial<Record<RoleMessage, SuspendableRole>>> = {
  [RoleMessage.SUSPENDABLE_ROLE_PSP_PI]: 'PSP_PI',
  [RoleMessage.SUSPENDABLE_ROLE_PSP_AI]: 'PSP_AI',
  [RoleMessage.SUSPENDABLE_ROLE_PSP_IC]: 'PSP_IC',
};

const MESSAGE_OF_ROLE: Readonly<Record<SuspendableRole, RoleMessage>> = {
  PSP_PI: RoleMessage.SUSPENDABLE_ROLE_PSP_PI,
  PSP_AI: RoleMessage.SUSPENDABLE_ROLE_PSP_AI,
  PSP_IC: RoleMessage.SUSPENDABLE_ROLE_PSP_IC,
};

export function roleToMessage(role: SuspendableRole): RoleMessage {
  return MESSAGE_OF_ROLE[role];
}

/** A role name read back from the database; anything else is not a suspendable role. */
export function storedRoleToMessage(role: string | null): RoleMessage | undefined {
  return role !== null && role in MESSAGE_OF_ROLE ? MESSAGE_OF_ROLE[role as SuspendableRole] : undefined;
}

/** Unset: the whole organisation. UNSPECIFIED is a caller's mistake, not "the whole organisation". */
export function roleFromMessage(role: RoleMessage | undefined): SuspendableRole | undefined {
  if (role === undefined) return undefined;
  const name = ROLE_OF_MESSAGE[role];
  if (name === undefined) {
    throw new RegistryError('invalid_argument', 'role must be PSP_PI, PSP_AI or PSP_IC, or unset');
  }
  return name;
}

// Identifiers are short printable text; a control character or a huge value is never one.
const IDENTIFIER = /^[\x21-\x7e]{1,200}$/;

/** organizationIdentifier, client id, grant id, PSU id: 1 to 200 printable ASCII characters. */
export function identifier(value: string, field: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new RegistryError('invalid_argument', `${field} is required: 1 to 200 printable characters`);
  }
  return value;
}

/** Every mutating call says why: recorded with who and when. */
export function reason(value: string): string {
  checkReason(value);
  return value;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** 0 means the default; above the maximum is lowered to it (AIP-158), negative is refused. */
export function limit(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RegistryError('invalid_argument', `${field} must not be negative`);
  }
  return value === 0 ? DEFAULT_LIMIT : Math.min(value, MAX_LIMIT);
}
