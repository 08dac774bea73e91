import type { X509Certificate } from 'node:crypto';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, readListSource } from './trusted-list-fetch.js';
import { type NationalListPointer, nationalListPointers } from './trusted-list-lotl.js';
import { parseTrustedList, type TrustedList } from './trusted-list-parse.js';
import { type CaSelection, selectWebsiteAuthenticationCas, type TrustedCa } from './trusted-list-select.js';
import { verifyListSignature } from './trusted-list-signature.js';
import { TrustedListRefused } from './trusted-list-xml.js';

/*
 * From a trusted list, or from the EU list of lists and the national lists it names, to the QWAC CAs.
 * Every list is verified before it is read; one national list that fails fails the whole collection, so
 * that a bundle never silently loses a country.
 */

export type ListSource = { readonly tsl: string } | { readonly lotl: string };

export interface CollectRequest {
  readonly source: ListSource;
  /** The configured signers: of the trusted list itself, or of the list of lists. */
  readonly signers: readonly X509Certificate[];
  /** With a list of lists: only these territories (upper case codes). */
  readonly territories?: ReadonlySet<string> | undefined;
  readonly now?: Date;
  readonly limits?: FetchLimits;
  /** How many national lists are fetched at once. */
  readonly concurrency?: number;
}

export interface CollectedCas {
  readonly cas: readonly TrustedCa[];
  readonly warnings: readonly string[];
}

export async function collectTrustedCas(request: CollectRequest): Promise<CollectedCas> {
  const now = request.now ?? new Date();
  const limits = request.limits ?? DEFAULT_FETCH_LIMITS;
  if ('tsl' in request.source) {
    const list = await loadVerifiedList(request.source.tsl, request.signers, now, limits);
    return selectWebsiteAuthenticationCas(list, now);
  }
  return collectFromListOfLists(request.source.lotl, request, now, limits);
}

async function collectFromListOfLists(
  location: string,
  request: CollectRequest,
  now: Date,
  limits: FetchLimits,
): Promise<CollectedCas> {
  const lotl = await loadVerifiedList(location, request.signers, now, limits);
  if (!lotl.tslType.toLowerCase().endsWith('listofthelists')) {
    throw new TrustedListRefused(`${location} is not a list of lists (TSLType ${lotl.tslType})`);
  }
  const pointers = nationalListPointers(lotl, request.territories);
  if (pointers.length === 0) throw new TrustedListRefused('the list of lists points to no national XML list');
  // All downloads first, then the verifications one by one: verifying a list of a few MB holds the
  // event loop for seconds, which would otherwise eat into the other downloads' time limits.
  const downloads = await mapConcurrently(pointers, request.concurrency ?? 4, (pointer) =>
    readListSource(pointer.location, limits).catch((error: unknown) => failureOf(pointer, error)),
  );
  const outcomes = pointers.map((pointer, index) => {
    const download = downloads[index];
    return download instanceof NationalListFailure
      ? download
      : readNationalList(pointer, download ?? '', now);
  });
  const failures = outcomes.filter((outcome) => outcome instanceof NationalListFailure);
  if (failures.length > 0) {
    throw new TrustedListRefused(
      `${failures.length} of ${pointers.length} national lists failed:\n  ${failures.map((failure) => failure.message).join('\n  ')}`,
    );
  }
  const selections = outcomes.filter(
    (outcome): outcome is CaSelection => !(outcome instanceof NationalListFailure),
  );
  return {
    cas: selections.flatMap((selection) => selection.cas),
    warnings: selections.flatMap((selection) => selection.warnings),
  };
}

/** Read, verify, then parse the signed content only; a list past its NextUpdate (or closed) is refused. */
export async function loadVerifiedList(
  source: string,
  signers: readonly X509Certificate[],
  now: Date,
  limits: FetchLimits,
): Promise<TrustedList> {
  return verifiedList(await readListSource(source, limits), source, signers, now);
}

function verifiedList(
  xml: string,
  source: string,
  signers: readonly X509Certificate[],
  now: Date,
): TrustedList {
  const list = parseTrustedList(verifyListSignature(xml, signers, source, now).signedXml, source);
  if (list.nextUpdate === undefined) throw new TrustedListRefused(`${source} is closed (no NextUpdate date)`);
  if (list.nextUpdate <= now) {
    throw new TrustedListRefused(
      `${source} is out of date: its NextUpdate ${list.nextUpdate.toISOString()} is past`,
    );
  }
  return list;
}

/** Why one national list cannot be used: territory, location and reason, for the operator. */
class NationalListFailure {
  constructor(readonly message: string) {}
}

function failureOf(pointer: NationalListPointer, error: unknown): NationalListFailure {
  const reason = error instanceof Error ? error.message : String(error);
  return new NationalListFailure(`${pointer.territory} ${pointer.location}: ${reason}`);
}

function readNationalList(
  pointer: NationalListPointer,
  xml: string,
  now: Date,
): CaSelection | NationalListFailure {
  try {
    const list = verifiedList(xml, pointer.location, pointer.signers, now);
    if (list.territory.toUpperCase() !== pointer.territory) {
      throw new TrustedListRefused(`its SchemeTerritory is ${list.territory}, not ${pointer.territory}`);
    }
    return selectWebsiteAuthenticationCas(list, now);
  } catch (error) {
    return failureOf(pointer, error);
  }
}

async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
