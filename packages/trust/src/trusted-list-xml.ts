import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

/** ETSI TS 119 612 v2 namespaces and the XML-DSig one. */
export const TSL_NS = 'http://uri.etsi.org/02231/v2#';
export const TSL_ADDITIONAL_TYPES_NS = 'http://uri.etsi.org/02231/v2/additionaltypes#';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** A trusted list that must not be used: bad signature, past NextUpdate, unreadable... The message says why. */
export class TrustedListRefused extends Error {
  override readonly name = 'TrustedListRefused';
}

/**
 * Parses XML strictly: any parser error refuses the list, and so does a DOCTYPE, which no trusted list has
 * and which is the door to entity expansion tricks.
 */
export function parseXml(xml: string, what: string): Document {
  let document: Document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new TrustedListRefused(`${what} is not well-formed XML: ${firstLine(error)}`);
  }
  if (document.doctype !== null) throw new TrustedListRefused(`${what} has a DOCTYPE, which is refused`);
  return document;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** The element children of `parent` with that local name, in the TSL namespace unless told otherwise. */
export function childElements(parent: Element, localName: string, namespace: string = TSL_NS): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const element = node as Element;
    if (element.localName === localName && element.namespaceURI === namespace) found.push(element);
  }
  return found;
}

export function childElement(parent: Element, localName: string, namespace?: string): Element | undefined {
  return childElements(parent, localName, namespace)[0];
}

/** Follows a path of child names from `parent`, every step in the TSL namespace; all matches at the end. */
export function elementsAt(parent: Element, path: readonly string[]): Element[] {
  let current = [parent];
  for (const step of path) current = current.flatMap((element) => childElements(element, step));
  return current;
}

export function textAt(parent: Element, path: readonly string[]): string | undefined {
  const element = elementsAt(parent, path)[0];
  return element === undefined ? undefined : (element.textContent ?? '').trim();
}

/**
 * A multilingual name (TS 119 612 §5.1.4: a list of `Name` elements with xml:lang): the English one,
 * else the first.
 */
export function multilingualName(parent: Element | undefined): string {
  if (parent === undefined) return '';
  const names = childElements(parent, 'Name');
  const english = names.find((name) => name.getAttribute('xml:lang')?.toLowerCase() === 'en');
  return ((english ?? names[0])?.textContent ?? '').trim();
}

/** The DER bytes of every `X509Certificate` under the `DigitalId`s of a `ServiceDigitalIdentity`. */
export function digitalIdCertificates(serviceDigitalIdentity: Element): Buffer[] {
  return elementsAt(serviceDigitalIdentity, ['DigitalId', 'X509Certificate']).map((element) =>
    Buffer.from((element.textContent ?? '').replace(/\s+/g, ''), 'base64'),
  );
}
