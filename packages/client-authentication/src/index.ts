export {
  type AuthenticatedClient,
  authenticateTlsClient,
  type CertificateOutcome,
  readClientCertificate,
} from './authenticate.js';
export { clientCertificateSettings, createResolverFromSettings } from './settings.js';
export { subjectDnMatches } from './subject-dn.js';
