export {
  type AuthenticatedClient,
  authenticateClientRequest,
  authenticateTlsClient,
  type CertificateOutcome,
  type ClientRequest,
  readClientCertificate,
  requestCertificate,
} from './authenticate.js';
export { certificateCaller } from './certificate-caller.js';
export { subjectDnMatches } from './subject-dn.js';
export { refusedBySuspension, refuseSuspendedScopes, suspendedScopesOf } from './suspension.js';
