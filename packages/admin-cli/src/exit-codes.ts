import { status } from '@grpc/grpc-js';

/*
 * The CLI's exit codes, documented in docs/operations-admin.md, so scripts can tell a refusal from a
 * typo from an outage.
 */
export const EXIT = {
  ok: 0,
  /** The server refused or found nothing (not found, invalid argument, permission denied...). */
  refused: 1,
  /** The command line or the connection settings are wrong; nothing was sent. */
  usage: 2,
  /** No answer: the server is unreachable, the TLS handshake failed, a dependency is down, or the deadline passed. */
  unavailable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const UNAVAILABLE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.UNKNOWN,
  status.INTERNAL,
  status.UNAUTHENTICATED,
  status.CANCELLED,
  status.RESOURCE_EXHAUSTED,
]);

export function exitCodeOfStatus(code: number): ExitCode {
  return UNAVAILABLE.has(code) ? EXIT.unavailable : EXIT.refused;
}
