import { X509Certificate } from 'node:crypto';
import type { OtherListPointer, TrustedList } from './trusted-list-parse.js';
import { TrustedListRefused } from './trusted-list-xml.js';

/*
 * The EU list of lists (LOTL) names each national trusted list: where it is (TSLLocation), its territory,
 * and the only certificates allowed to sign it (ServiceDigitalIdentities). The LOTL also points to itself
 * (a pointer with the LOTL's own territory, EU) and to PDF renderings of the lists; only the national XML
 * lists are followed. The territory, not the pointer's TSLType, tells the LOTL's own pointer apart: it is
 * what the national list must then match, and a mislabelled type cannot make a country disappear.
 */

export const TSL_XML_MIME_TYPE = 'application/vnd.etsi.tsl+xml';

export interface NationalListPointer {
  readonly territory: string;
  readonly location: string;
  readonly signers: readonly X509Certificate[];
}

/** The national XML lists the LOTL points to, restricted to `territories` when given (upper case codes). */
export function nationalListPointers(
  lotl: TrustedList,
  territories: ReadonlySet<string> | undefined,
): NationalListPointer[] {
  const own = lotl.territory.toUpperCase();
  const national = lotl.pointers.filter(
    (pointer) => pointer.mimeType === TSL_XML_MIME_TYPE && pointer.territory?.toUpperCase() !== own,
  );
  const pointers = national.filter((pointer) => {
    const territory = pointer.territory?.toUpperCase() ?? '';
    return territories === undefined || territories.has(territory);
  });
  const missing = [...(territories ?? [])].filter(
    (territory) => !pointers.some((pointer) => pointer.territory?.toUpperCase() === territory),
  );
  if (missing.length > 0) {
    throw new TrustedListRefused(`the list of lists has no XML trusted list for ${missing.join(', ')}`);
  }
  return pointers.map(nationalPointerOf);
}

function nationalPointerOf(pointer: OtherListPointer): NationalListPointer {
  const territory = pointer.territory?.toUpperCase() ?? '';
  if (territory === '' || pointer.location === '') {
    throw new TrustedListRefused(
      `a pointer of the list of lists has no territory or no location (${pointer.location})`,
    );
  }
  if (pointer.signerCertificates.length === 0) {
    throw new TrustedListRefused(`the list of lists names no signer certificate for ${territory}`);
  }
  const signers = pointer.signerCertificates.map((der) => {
    try {
      return new X509Certificate(der);
    } catch {
      throw new TrustedListRefused(
        `the list of lists names an unreadable signer certificate for ${territory}`,
      );
    }
  });
  return { territory, location: pointer.location, signers };
}
