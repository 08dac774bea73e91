import { RegistryError } from './errors.js';

/*
 * The vocabulary of operator suspensions and of the operator audit trail, shared by the domain
 * (suspensions.ts, operator-actions.ts) and the admin API that calls it. Every failure is a
 * RegistryError: `invalid_argument` for a bad request, `unavailable` when PostgreSQL or the token store
 * cannot be reached, `deadline_exceeded`, `aborted`.
 */

/** The bank operator acting, from the client certificate of the admin API's mTLS connection. */
export interface OperatorIdentity {
  /** The certificate's subject (DN, or CN when that is all it has). */
  readonly subject: string;
  /** base64url SHA-256 of the certificate's DER. */
  readonly certificateThumbprint: string;
}

export const SUSPENDABLE_ROLE_NAMES = ['PSP_PI', 'PSP_AI', 'PSP_IC'] as const;
export type SuspendableRole = (typeof SUSPENDABLE_ROLE_NAMES)[number];

export function isSuspendableRole(value: string): value is SuspendableRole {
  return (SUSPENDABLE_ROLE_NAMES as readonly string[]).includes(value);
}

export interface SuspensionRequest {
  /** The TPP's organizationIdentifier (2.5.4.97), e.g. PSDFR-ACPR-12345. */
  readonly organizationId: string;
  /** One PSD2 role of the organisation; absent: the whole organisation. */
  readonly role?: SuspendableRole;
  readonly operator: OperatorIdentity;
  /** Why, in the operator's words: 1 to 500 characters, no control character. */
  readonly reason: string;
}

export interface SuspensionOutcome {
  /** false: already in force (suspend) or none in force (reinstate); nothing changed but the markers. */
  readonly changed: boolean;
  /** The organisation's clients whose tokens the action touched. */
  readonly clientIds: readonly string[];
}

export interface SuspensionRecord {
  readonly organizationId: string;
  /** null: the whole organisation. */
  readonly role: SuspendableRole | null;
  readonly suspendedAt: Date;
  readonly suspendedBy: OperatorIdentity;
  readonly reason: string;
  /** Absent while the suspension is in force. */
  readonly reinstatement?: {
    readonly at: Date;
    readonly by: OperatorIdentity;
    readonly reason: string;
  };
}

export interface Suspensions {
  /** Idempotent: `changed` false when the same suspension is in force already. */
  suspend(request: SuspensionRequest): Promise<SuspensionOutcome>;
  /** `changed` false when no such suspension is in force. */
  reinstate(request: SuspensionRequest): Promise<SuspensionOutcome>;
  /** The suspensions in force, oldest first. */
  inForce(organizationId: string): Promise<SuspensionRecord[]>;
  /** Every suspension ever, in force or reinstated, oldest first. */
  history(organizationId: string): Promise<SuspensionRecord[]>;
}

/** What an operator did, as the admin API records it. Action names are snake_case verbs. */
export interface OperatorActionInput {
  readonly operator: OperatorIdentity;
  /** e.g. suspend_organisation, reinstate_organisation, withdraw_grant. */
  readonly action: string;
  readonly reason: string;
  readonly organizationId?: string;
  readonly role?: SuspendableRole;
  readonly clientId?: string;
  readonly grantId?: string;
  /** The PSU (the bank's customer id) whose consent the action concerns. */
  readonly psuId?: string;
  /** Facts worth keeping beside the row (e.g. the clients touched); never a token or a secret. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Defaults to now. */
  readonly at?: Date;
}

export interface OperatorActionRecord {
  readonly id: number;
  readonly at: Date;
  readonly operator: OperatorIdentity;
  readonly action: string;
  readonly reason: string;
  readonly organizationId: string | null;
  readonly role: string | null;
  readonly clientId: string | null;
  readonly grantId: string | null;
  readonly psuId: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface OperatorActionFilter {
  readonly organizationId?: string;
  readonly clientId?: string;
  readonly psuId?: string;
  /** At most this many, newest last; default and cap 500. */
  readonly limit?: number;
}

export const MAX_REASON_LENGTH = 500;
// Controls, format characters and line separators: a reason is one line of plain text, shown in an
// audit trail and on an operator's terminal, where such characters could hide or fake text.
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Refuses a reason the audit trail must not hold (also enforced by the table's check). */
export function checkReason(reason: string): void {
  const length = [...reason].length;
  if (reason.trim() === '' || length > MAX_REASON_LENGTH || CONTROL.test(reason)) {
    throw new RegistryError(
      'invalid_argument',
      `the reason must be 1 to ${MAX_REASON_LENGTH} characters of text with no control character`,
    );
  }
}

/** Refuses an operator identity that would make the audit trail say nothing about who acted. */
export function checkOperator(operator: OperatorIdentity): void {
  if (operator.subject.trim() === '' || operator.certificateThumbprint.trim() === '') {
    throw new RegistryError('invalid_argument', 'the operator must be identified by a certificate');
  }
}
