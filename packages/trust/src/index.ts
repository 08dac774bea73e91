/* The QWAC trust material: CRL refresh (crl-refresh.ts) and the CA bundle from trusted lists (trusted-list.ts). */

export {
  type CollectedCas,
  type CollectRequest,
  collectTrustedCas,
  type ListSource,
  loadVerifiedList,
} from './trusted-list-build.js';
export { formatBundle, writeBundleIfChanged } from './trusted-list-bundle.js';
export { DEFAULT_FETCH_LIMITS, type FetchLimits } from './trusted-list-fetch.js';
export { type NationalListPointer, nationalListPointers } from './trusted-list-lotl.js';
export { parseTrustedList, type TrustedList } from './trusted-list-parse.js';
export { selectWebsiteAuthenticationCas, type TrustedCa } from './trusted-list-select.js';
export { verifyListSignature } from './trusted-list-signature.js';
export { TrustedListRefused } from './trusted-list-xml.js';
