import type { DemoPki } from '@psd2/test-pki';
import type { FuzzEndpoint } from './common.js';
import { consentsPageEndpoint } from './consents.js';
import {
  directXfccEndpoint,
  docsEndpoint,
  metadataEndpoint,
  openApiEndpoint,
  unknownPathEndpoint,
} from './other.js';
import {
  bankConsentEndpoint,
  bankConsentPageEndpoint,
  bankOtpEndpoint,
  bankOtpPageEndpoint,
  bankPageEndpoint,
  bankSignInEndpoint,
  sandboxConsentEndpoint,
  sandboxPageEndpoint,
} from './pages.js';
import { parEndpoint } from './par.js';
import {
  manageDeleteEndpoint,
  manageGetEndpoint,
  managePutEndpoint,
  registerEndpoint,
} from './registration.js';
import { introspectionEndpoint, revocationEndpoint, tokenEndpoint } from './token.js';

export type { FuzzEndpoint } from './common.js';

/** Every endpoint of the edge's route table (packages/edge-config/src/routes.ts), and a few it lacks. */
export function allEndpoints(pki: DemoPki): FuzzEndpoint[] {
  return [
    registerEndpoint,
    manageGetEndpoint,
    managePutEndpoint,
    manageDeleteEndpoint,
    sandboxPageEndpoint,
    sandboxConsentEndpoint,
    bankPageEndpoint,
    bankSignInEndpoint,
    bankOtpPageEndpoint,
    bankOtpEndpoint,
    bankConsentPageEndpoint,
    bankConsentEndpoint,
    consentsPageEndpoint,
    parEndpoint,
    tokenEndpoint,
    revocationEndpoint,
    introspectionEndpoint,
    metadataEndpoint,
    openApiEndpoint,
    docsEndpoint,
    unknownPathEndpoint,
    directXfccEndpoint(pki),
  ];
}

/** The endpoints a comma-separated FUZZ_ENDPOINTS names (all when empty); an unknown name is an error. */
export function selectEndpoints(all: readonly FuzzEndpoint[], names: string | undefined): FuzzEndpoint[] {
  const wanted = (names ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (wanted.length === 0) return [...all];
  const unknown = wanted.filter((name) => !all.some((endpoint) => endpoint.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `FUZZ_ENDPOINTS names no endpoint ${unknown.join(', ')}; known: ${all.map((e) => e.name).join(', ')}`,
    );
  }
  return all.filter((endpoint) => wanted.includes(endpoint.name));
}
