export { type ChainedQwac, issueQwacWithChain } from './chain.js';
export {
  type CrlOptions,
  issueCrl,
  loadCertificateAuthority,
  REVOCATION_SCENARIO_QWAC,
  type RevocationScenario,
  serialOf,
  writeRevocationScenario,
} from './crl.js';
export { demoCurlCommand } from './curl.js';
export {
  type CertificateFiles,
  DEMO_QWACS,
  type DemoPki,
  type DemoQwacFiles,
  type DemoQwacName,
  ensureDemoPki,
  writeDemoPki,
} from './demo.js';
export {
  EDGE_PEER_NAME,
  INTERNAL_SERVICES,
  type InternalCertificateFiles,
  type InternalPki,
  type InternalService,
  type IssuedInternalPki,
  issueInternalPki,
  issueInternalServerCertificate,
  issueWorkloadClientCertificate,
} from './internal.js';
export {
  type CertificateAuthority,
  type CertificateAuthorityOptions,
  createCertificateAuthority,
  DEFAULT_ORGANIZATION_IDENTIFIER,
  type IssuedCertificate,
  issueIntermediateAuthority,
  issueQwac,
  issueServerCertificate,
  type KeyAlgorithm,
  type QwacOptions,
  type ServerCertificateOptions,
  standardRole,
} from './issue.js';
export {
  DEMO_OPERATOR,
  type IssuedOperatorPki,
  issueOperatorCertificate,
  issueOperatorPki,
  type OperatorCertificateFiles,
  type OperatorPki,
} from './operator.js';
export {
  encodeQcStatements,
  OID,
  PSD2_ROLE_OIDS,
  type Psd2Role,
  type QcStatementsOptions,
  type QcTypeName,
  type RoleOfPsp,
} from './qc-statements.js';
