/* The QWAC trust material: CRL refresh (crl-refresh.ts) and the CA bundle from trusted lists (trusted-list.ts). */

export {
  type DistributionPointMap,
  distributionPointsOf,
  parseDistributionPointMap,
  // A CA of the edge's bundle, as the CRL refresh sees it (a trusted list's CA is `TrustedCa`).
  type TrustedCa as BundleAuthority,
  trustedCas,
} from './crl-authorities.js';
export {
  type CaOutcome,
  type CaRefresh,
  type RefreshOptions,
  type RefreshResult,
  refreshCrls,
} from './crl-refresh.js';
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
