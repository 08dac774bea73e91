/* The QWAC trust material: CRL refresh (crl-refresh.ts) and the CA bundle from trusted lists (trusted-list.ts). */
export {};
