/* The QWAC trust material: CRL refresh (crl-refresh.ts) and the CA bundle from trusted lists (trusted-list.ts). */

export {
  type DistributionPointMap,
  distributionPointsOf,
  parseDistributionPointMap,
  type TrustedCa,
  trustedCas,
} from './crl-authorities.js';
export {
  type CaOutcome,
  type CaRefresh,
  type RefreshOptions,
  type RefreshResult,
  refreshCrls,
} from './crl-refresh.js';
