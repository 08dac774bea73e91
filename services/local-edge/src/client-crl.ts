import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';

/*
 * EDGE_CLIENT_CRL_FILE: one or more PEM CRLs concatenated, from the QTSPs whose CAs the client CA bundle
 * trusts. Node's `crl` option reads one CRL per string, so the file is split into its PEM blocks.
 */

const PEM_CRL = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g;

/** The CRLs in `text`, each checked by OpenSSL's own parser; throws saying which block is broken. */
export function pemCrls(text: string): string[] {
  const blocks = text.match(PEM_CRL) ?? [];
  if (blocks.length === 0) throw new Error('holds no PEM CRL (-----BEGIN X509 CRL-----)');
  blocks.forEach((block, index) => {
    try {
      createSecureContext({ crl: block });
    } catch {
      throw new Error(`has a CRL that does not parse (block ${index + 1} of ${blocks.length})`);
    }
  });
  return blocks;
}

/** For the config schema: start-up refuses a file that is unreadable or holds a broken CRL. */
export function checkCrlFileSync(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  pemCrls(text);
}

export async function readCrlFile(path: string): Promise<string[]> {
  try {
    return pemCrls(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`client CRL file ${path} ${(error as Error).message}`);
  }
}

/**
 * Calls `onChange` whenever the file changes, including when it is replaced by a rename (as Kubernetes
 * and atomic writers do): polling, since fs.watch loses a file renamed over. Returns the stop function.
 */
export function watchCrlFile(path: string, intervalMs: number, onChange: () => void): () => void {
  const listener = () => onChange();
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
