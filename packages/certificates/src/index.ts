export {
  CERTIFICATE_ERROR_CODES,
  CertificateError,
  type CertificateErrorCode,
  isCertificateError,
} from './errors.js';
export { type ForwardedRequest, forwardedClientCertificate } from './forwarded.js';
export { memoize, memoizeBy } from './memoize.js';
export { OID, PSD2_ROLE_BY_OID, PSD2_ROLES, type Psd2Role, roleOfOid } from './oids.js';
export { derFromPem, pemFromDer } from './pem.js';
export {
  checkValidity,
  type DistinguishedNames,
  distinguishedNames,
  parseQwac,
  type QwacIdentity,
  type RoleOfPsp,
  readQwac,
} from './qwac.js';
export {
  type ClientCertificateResolver,
  type ClientCertificateResolverOptions,
  createClientCertificateResolver,
} from './resolver.js';
export {
  certificateFromXfcc,
  formatXfccElement,
  parseXfcc,
  urlEncodePem,
  type XfccDetails,
  type XfccElement,
} from './xfcc.js';
