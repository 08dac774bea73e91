import type { Element } from '@xmldom/xmldom';
import {
  childElement,
  childElements,
  digitalIdCertificates,
  elementsAt,
  multilingualName,
  parseXml,
  TrustedListRefused,
  TSL_ADDITIONAL_TYPES_NS,
  TSL_NS,
  textAt,
} from './trusted-list-xml.js';

/*
 * The parts of an ETSI TS 119 612 v2 trusted list that the bundle needs. Parsed only from the content the
 * signature covers (trusted-list-signature.ts), never from the document as received.
 */

export interface TrustedService {
  readonly typeIdentifier: string;
  readonly name: string;
  /** The current status only: ServiceHistory is not read (see docs/operations-trusted-list.md). */
  readonly status: string;
  /** AdditionalServiceInformation URIs of ServiceInformationExtensions. */
  readonly additionalInformation: readonly string[];
  readonly certificates: readonly Buffer[];
}

export interface TrustServiceProvider {
  readonly name: string;
  readonly services: readonly TrustedService[];
}

/** A PointersToOtherTSL entry: where another list is and who may sign it. */
export interface OtherListPointer {
  readonly location: string;
  readonly signerCertificates: readonly Buffer[];
  readonly territory: string | undefined;
  readonly tslType: string | undefined;
  readonly mimeType: string | undefined;
}

export interface TrustedList {
  readonly tslType: string;
  readonly territory: string;
  readonly issued: Date | undefined;
  /** Undefined for a closed list (NextUpdate without a date). */
  readonly nextUpdate: Date | undefined;
  readonly pointers: readonly OtherListPointer[];
  readonly providers: readonly TrustServiceProvider[];
}

export function parseTrustedList(signedXml: string, what: string): TrustedList {
  const root = parseXml(signedXml, what).documentElement;
  if (root === null || root.localName !== 'TrustServiceStatusList' || root.namespaceURI !== TSL_NS) {
    throw new TrustedListRefused(`${what} is not a TS 119 612 v2 TrustServiceStatusList`);
  }
  const scheme = childElement(root, 'SchemeInformation');
  if (scheme === undefined) throw new TrustedListRefused(`${what} has no SchemeInformation`);
  return {
    tslType: textAt(scheme, ['TSLType']) ?? '',
    territory: textAt(scheme, ['SchemeTerritory']) ?? '',
    issued: dateOf(textAt(scheme, ['ListIssueDateTime']), what, 'ListIssueDateTime'),
    nextUpdate: dateOf(textAt(scheme, ['NextUpdate', 'dateTime']), what, 'NextUpdate'),
    pointers: elementsAt(scheme, ['PointersToOtherTSL', 'OtherTSLPointer']).map(pointerOf),
    providers: elementsAt(root, ['TrustServiceProviderList', 'TrustServiceProvider']).map(providerOf),
  };
}

function dateOf(text: string | undefined, what: string, field: string): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new TrustedListRefused(`${what} has an invalid ${field}: ${text}`);
  return date;
}

function providerOf(provider: Element): TrustServiceProvider {
  return {
    name: multilingualName(elementsAt(provider, ['TSPInformation', 'TSPName'])[0]),
    services: elementsAt(provider, ['TSPServices', 'TSPService', 'ServiceInformation']).map(serviceOf),
  };
}

function serviceOf(information: Element): TrustedService {
  return {
    typeIdentifier: textAt(information, ['ServiceTypeIdentifier']) ?? '',
    name: multilingualName(childElement(information, 'ServiceName')),
    status: textAt(information, ['ServiceStatus']) ?? '',
    additionalInformation: elementsAt(information, [
      'ServiceInformationExtensions',
      'Extension',
      'AdditionalServiceInformation',
      'URI',
    ]).map((uri) => (uri.textContent ?? '').trim()),
    certificates: childElements(information, 'ServiceDigitalIdentity').flatMap(digitalIdCertificates),
  };
}

function pointerOf(pointer: Element): OtherListPointer {
  const otherInformation = elementsAt(pointer, ['AdditionalInformation', 'OtherInformation']);
  const information = (localName: string, namespace: string = TSL_NS): string | undefined => {
    for (const element of otherInformation) {
      const found = childElement(element, localName, namespace);
      if (found !== undefined) return (found.textContent ?? '').trim();
    }
    return undefined;
  };
  return {
    location: textAt(pointer, ['TSLLocation']) ?? '',
    signerCertificates: elementsAt(pointer, ['ServiceDigitalIdentities', 'ServiceDigitalIdentity']).flatMap(
      digitalIdCertificates,
    ),
    territory: information('SchemeTerritory'),
    tslType: information('TSLType'),
    mimeType: information('MimeType', TSL_ADDITIONAL_TYPES_NS),
  };
}
