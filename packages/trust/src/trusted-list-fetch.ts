import { open } from 'node:fs/promises';
import { TrustedListRefused } from './trusted-list-xml.js';

/*
 * A trusted list from an http(s) URL or a file, bounded in time and size: national lists are a few MB, so
 * anything far larger or slower is refused rather than waited for. Plain http is acceptable because the
 * signature, not the transport, is what makes a list trustworthy.
 */

export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 60_000, maxBytes: 32 * 1024 * 1024 };

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export async function readListSource(
  source: string,
  limits: FetchLimits = DEFAULT_FETCH_LIMITS,
): Promise<string> {
  const bytes = isUrl(source) ? await download(source, limits) : await readFileBounded(source, limits);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

async function download(url: string, limits: FetchLimits): Promise<Buffer> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(url, { signal, headers: { accept: 'application/xml, text/xml, */*' } });
    if (!response.ok) throw new TrustedListRefused(`${url}: HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > limits.maxBytes) throw tooLarge(url, limits);
    if (response.body === null) return Buffer.alloc(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) throw tooLarge(url, limits);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof TrustedListRefused) throw error;
    if (signal.aborted)
      throw new TrustedListRefused(`${url}: no complete answer within ${limits.timeoutMs} ms`);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new TrustedListRefused(`${url}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  }
}

async function readFileBounded(path: string, limits: FetchLimits): Promise<Buffer> {
  try {
    const file = await open(path, 'r');
    try {
      if ((await file.stat()).size > limits.maxBytes) throw tooLarge(path, limits);
      return await file.readFile();
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof TrustedListRefused) throw error;
    throw new TrustedListRefused(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function tooLarge(source: string, limits: FetchLimits): TrustedListRefused {
  return new TrustedListRefused(`${source}: larger than ${limits.maxBytes} bytes`);
}
