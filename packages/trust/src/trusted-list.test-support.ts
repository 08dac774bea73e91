import { createCertificateAuthority, type IssuedCertificate } from '@psd2/test-pki';
import { SignedXml } from 'xml-crypto';
import { ACCEPTED_DIGEST_ALGORITHMS, ACCEPTED_SIGNATURE_ALGORITHMS } from './trusted-list-algorithms.js';
import { TSL_XML_MIME_TYPE } from './trusted-list-lotl.js';
import { FOR_WEBSITE_AUTHENTICATION, SERVICE_TYPE_CA_QC, STATUS_GRANTED } from './trusted-list-select.js';
import { TSL_ADDITIONAL_TYPES_NS, TSL_NS } from './trusted-list-xml.js';

/*
 * Small ETSI TS 119 612 lists for tests, written as XML text and signed with xml-crypto the way trusted list
 * operators sign theirs (enveloped signature, exclusive canonicalisation, KeyInfo with the certificate).
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const FOR_ESIGNATURES = 'http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures';
export const STATUS_WITHDRAWN = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn';
export const SERVICE_TYPE_TSA_QTST = 'http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST';
export const EU_GENERIC = 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric';
export const EU_LIST_OF_LISTS = 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists';

export interface ServiceSpec {
  readonly name: string;
  readonly certificates: readonly Uint8Array[];
  readonly type?: string;
  readonly status?: string;
  readonly additionalInformation?: readonly string[];
}

export interface ProviderSpec {
  readonly name: string;
  readonly services: readonly ServiceSpec[];
}

export interface PointerSpec {
  readonly territory: string;
  readonly location: string;
  readonly signerCertificates: readonly Uint8Array[];
  readonly mimeType?: string;
  readonly tslType?: string;
}

export interface ListSpec {
  readonly territory?: string;
  readonly tslType?: string;
  readonly nextUpdate?: Date;
  readonly id?: string;
  readonly providers?: readonly ProviderSpec[];
  readonly pointers?: readonly PointerSpec[];
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const base64 = (der: Uint8Array): string => Buffer.from(der).toString('base64');
const name = (text: string): string => `<Name xml:lang="en">${escapeXml(text)}</Name>`;

export function serviceXml(service: ServiceSpec): string {
  const extensions = (service.additionalInformation ?? [FOR_WEBSITE_AUTHENTICATION])
    .map(
      (uri) =>
        `<Extension Critical="false"><AdditionalServiceInformation><URI xml:lang="en">${uri}</URI></AdditionalServiceInformation></Extension>`,
    )
    .join('');
  const ids = service.certificates
    .map((der) => `<DigitalId><X509Certificate>${base64(der)}</X509Certificate></DigitalId>`)
    .join('');
  return (
    `<TSPService><ServiceInformation><ServiceTypeIdentifier>${service.type ?? SERVICE_TYPE_CA_QC}</ServiceTypeIdentifier>` +
    `<ServiceName>${name(service.name)}</ServiceName><ServiceDigitalIdentity>${ids}</ServiceDigitalIdentity>` +
    `<ServiceStatus>${service.status ?? STATUS_GRANTED}</ServiceStatus><StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime>` +
    `<ServiceInformationExtensions>${extensions}</ServiceInformationExtensions></ServiceInformation>` +
    // History says this service was withdrawn once: it must not matter, only the current status counts.
    `<ServiceHistory><ServiceHistoryInstance><ServiceTypeIdentifier>${SERVICE_TYPE_CA_QC}</ServiceTypeIdentifier>` +
    `<ServiceName>${name(service.name)}</ServiceName><ServiceStatus>${STATUS_WITHDRAWN}</ServiceStatus>` +
    `<StatusStartingTime>2019-01-01T00:00:00Z</StatusStartingTime></ServiceHistoryInstance></ServiceHistory></TSPService>`
  );
}

export function providerXml(provider: ProviderSpec): string {
  return (
    `<TrustServiceProvider><TSPInformation><TSPName>${name(provider.name)}</TSPName></TSPInformation>` +
    `<TSPServices>${provider.services.map(serviceXml).join('')}</TSPServices></TrustServiceProvider>`
  );
}

function pointerXml(pointer: PointerSpec): string {
  const identities = pointer.signerCertificates
    .map(
      (der) =>
        `<ServiceDigitalIdentity><DigitalId><X509Certificate>${base64(der)}</X509Certificate></DigitalId></ServiceDigitalIdentity>`,
    )
    .join('');
  return (
    `<OtherTSLPointer><ServiceDigitalIdentities>${identities}</ServiceDigitalIdentities>` +
    `<TSLLocation>${escapeXml(pointer.location)}</TSLLocation><AdditionalInformation>` +
    `<OtherInformation><TSLType>${pointer.tslType ?? EU_GENERIC}</TSLType></OtherInformation>` +
    `<OtherInformation><SchemeOperatorName>${name(`${pointer.territory} supervisory body`)}</SchemeOperatorName></OtherInformation>` +
    `<OtherInformation><SchemeTerritory>${pointer.territory}</SchemeTerritory></OtherInformation>` +
    `<OtherInformation><ns3:MimeType xmlns:ns3="${TSL_ADDITIONAL_TYPES_NS}">${pointer.mimeType ?? TSL_XML_MIME_TYPE}</ns3:MimeType></OtherInformation>` +
    `</AdditionalInformation></OtherTSLPointer>`
  );
}

/** An unsigned list. */
export function trustedListXml(spec: ListSpec): string {
  const nextUpdate = spec.nextUpdate ?? new Date(Date.now() + 180 * DAY_MS);
  const pointers =
    spec.pointers === undefined
      ? ''
      : `<PointersToOtherTSL>${spec.pointers.map(pointerXml).join('')}</PointersToOtherTSL>`;
  const providers =
    spec.providers === undefined
      ? ''
      : `<TrustServiceProviderList>${spec.providers.map(providerXml).join('')}</TrustServiceProviderList>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<TrustServiceStatusList xmlns="${TSL_NS}" Id="${spec.id ?? 'tsl-1'}" TSLTag="http://uri.etsi.org/19612/TSLTag">` +
    `<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>1</TSLSequenceNumber>` +
    `<TSLType>${spec.tslType ?? EU_GENERIC}</TSLType><SchemeOperatorName>${name('Test supervisory body')}</SchemeOperatorName>` +
    `<SchemeTerritory>${spec.territory ?? 'FR'}</SchemeTerritory>${pointers}` +
    `<ListIssueDateTime>${new Date(Date.now() - DAY_MS).toISOString()}</ListIssueDateTime>` +
    `<NextUpdate><dateTime>${nextUpdate.toISOString()}</dateTime></NextUpdate></SchemeInformation>${providers}` +
    `</TrustServiceStatusList>`
  );
}

export interface SigningOptions {
  /** Whose key signs. */
  readonly signer: IssuedCertificate;
  /** Whose certificate KeyInfo carries; the signer's by default. */
  readonly keyInfoCertificate?: IssuedCertificate;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  /** '' (the default) or the root's Id. */
  readonly reference?: 'empty' | 'root-id';
  /** XAdES-BES as trusted lists carry it: SignedProperties in a ds:Object, under a second reference. */
  readonly xades?: boolean;
  /** false: no KeyInfo at all. */
  readonly keyInfo?: boolean;
}

const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
const xadesProperties = (signingTime: Date): string =>
  `<xades:QualifyingProperties xmlns:xades="${XADES_NS}" Target="#signature"><xades:SignedProperties Id="signed-properties">` +
  `<xades:SignedSignatureProperties><xades:SigningTime>${signingTime.toISOString()}</xades:SigningTime>` +
  `</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>`;

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_PSS_SHA256 = 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export function signList(xml: string, options: SigningOptions): string {
  const signed = new SignedXml({
    privateKey: options.signer.privateKeyPem,
    publicCert: (options.keyInfoCertificate ?? options.signer).certificatePem,
    signatureAlgorithm: options.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: EXCLUSIVE_C14N,
    ...(options.keyInfo === false ? { getKeyInfoContent: () => null } : {}),
    ...(options.xades === true ? { objects: [{ content: xadesProperties(new Date()) }] } : {}),
  });
  // xml-crypto's own table still has SHA-1, which the SHA-1 refusal tests need to sign with.
  signed.SignatureAlgorithms = { ...signed.SignatureAlgorithms, ...ACCEPTED_SIGNATURE_ALGORITHMS };
  signed.HashAlgorithms = { ...signed.HashAlgorithms, ...ACCEPTED_DIGEST_ALGORITHMS };
  signed.addReference({
    xpath: '/*',
    transforms: [ENVELOPED, EXCLUSIVE_C14N],
    digestAlgorithm: options.digestAlgorithm ?? SHA256,
    isEmptyUri: (options.reference ?? 'empty') === 'empty',
  });
  if (options.xades === true) {
    signed.addReference({
      xpath: "//*[local-name(.)='SignedProperties']",
      transforms: [EXCLUSIVE_C14N],
      digestAlgorithm: SHA256,
      type: 'http://uri.etsi.org/01903#SignedProperties',
    });
  }
  signed.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return signed.getSignedXml();
}

/** A list signer: RSA, as most trusted list operators' certificates are. */
export function createListSigner(commonName: string, options: { notAfter?: Date } = {}) {
  return createCertificateAuthority({ commonName, keyAlgorithm: 'RSA-2048', ...options });
}
