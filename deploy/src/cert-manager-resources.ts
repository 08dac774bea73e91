import { isRecord } from './manifests.js';

/*
 * cert-manager.io/v1 Issuer and Certificate, the fields components/internal-tls uses and their close
 * neighbours, checked strictly: an unknown or misspelt key is an error, as the API server's
 * validation of the CRD would make it.
 */

const GO_DURATION = /^(\d+(\.\d+)?(h|m|s|ms))+$/;

/** cert-manager's KeyUsage values (x509 key usages and extended key usages). */
const USAGES = new Set([
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
]);

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${path}/${key} is not a field of this object`);
}

function stringList(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === ''))
    return [`${path} must be a list of non-empty strings`];
  return [];
}

/** Issuer: exactly one of selfSigned and ca (the kinds this repository uses). */
export function issuerErrors(spec: unknown): string[] {
  if (!isRecord(spec)) return ['/spec must be an object'];
  const errors = unknownKeys(spec, ['selfSigned', 'ca'], '/spec');
  const kinds = ['selfSigned', 'ca'].filter((key) => spec[key] !== undefined);
  if (kinds.length !== 1) errors.push('/spec needs exactly one of selfSigned and ca');
  if (spec.selfSigned !== undefined) {
    if (!isRecord(spec.selfSigned)) errors.push('/spec/selfSigned must be an object');
    else errors.push(...unknownKeys(spec.selfSigned, ['crlDistributionPoints'], '/spec/selfSigned'));
  }
  if (spec.ca !== undefined) {
    if (!isRecord(spec.ca)) return [...errors, '/spec/ca must be an object'];
    errors.push(...unknownKeys(spec.ca, ['secretName', 'crlDistributionPoints', 'ocspServers'], '/spec/ca'));
    if (typeof spec.ca.secretName !== 'string' || spec.ca.secretName === '')
      errors.push('/spec/ca/secretName must be a Secret name');
  }
  return errors;
}

const CERTIFICATE_KEYS = [
  'secretName',
  'issuerRef',
  'commonName',
  'dnsNames',
  'uris',
  'ipAddresses',
  'emailAddresses',
  'duration',
  'renewBefore',
  'isCA',
  'usages',
  'privateKey',
  'subject',
  'secretTemplate',
  'revisionHistoryLimit',
];

function issuerRefErrors(ref: unknown): string[] {
  if (!isRecord(ref)) return ['/spec/issuerRef must be an object'];
  const errors = unknownKeys(ref, ['name', 'kind', 'group'], '/spec/issuerRef');
  if (typeof ref.name !== 'string' || ref.name === '') errors.push('/spec/issuerRef/name must be a string');
  if (ref.kind !== undefined && ref.kind !== 'Issuer' && ref.kind !== 'ClusterIssuer')
    errors.push('/spec/issuerRef/kind must be Issuer or ClusterIssuer');
  return errors;
}

function privateKeyErrors(key: unknown): string[] {
  if (key === undefined) return [];
  if (!isRecord(key)) return ['/spec/privateKey must be an object'];
  const errors = unknownKeys(key, ['algorithm', 'size', 'encoding', 'rotationPolicy'], '/spec/privateKey');
  if (key.algorithm !== undefined && !['RSA', 'ECDSA', 'Ed25519'].includes(String(key.algorithm)))
    errors.push('/spec/privateKey/algorithm must be RSA, ECDSA or Ed25519');
  if (key.size !== undefined && typeof key.size !== 'number')
    errors.push('/spec/privateKey/size must be a number');
  if (key.rotationPolicy !== undefined && !['Never', 'Always'].includes(String(key.rotationPolicy)))
    errors.push('/spec/privateKey/rotationPolicy must be Never or Always');
  return errors;
}

/** Certificate: a Secret name, an issuer, at least one name, known usages, Go durations. */
export function certificateErrors(spec: unknown): string[] {
  if (!isRecord(spec)) return ['/spec must be an object'];
  const errors = unknownKeys(spec, CERTIFICATE_KEYS, '/spec');
  if (typeof spec.secretName !== 'string' || spec.secretName === '')
    errors.push('/spec/secretName must be a Secret name');
  errors.push(...issuerRefErrors(spec.issuerRef));
  for (const key of ['dnsNames', 'uris', 'ipAddresses', 'emailAddresses'])
    errors.push(...stringList(spec[key], `/spec/${key}`));
  const named = ['commonName', 'dnsNames', 'uris', 'ipAddresses', 'emailAddresses'].some(
    (key) => spec[key] !== undefined,
  );
  if (!named) errors.push('/spec needs a commonName, dnsNames, uris, ipAddresses or emailAddresses');
  for (const key of ['duration', 'renewBefore']) {
    const value = spec[key];
    if (value !== undefined && (typeof value !== 'string' || !GO_DURATION.test(value)))
      errors.push(`/spec/${key} must be a Go duration such as 2160h`);
  }
  if (spec.isCA !== undefined && typeof spec.isCA !== 'boolean') errors.push('/spec/isCA must be a boolean');
  if (spec.usages !== undefined) {
    if (!Array.isArray(spec.usages)) errors.push('/spec/usages must be a list');
    else
      for (const usage of spec.usages)
        if (!USAGES.has(String(usage))) errors.push(`/spec/usages: ${String(usage)} is not a key usage`);
  }
  return [...errors, ...privateKeyErrors(spec.privateKey)];
}
