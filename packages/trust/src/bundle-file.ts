import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/*
 * The edge's trust files (the CRL bundle EDGE_CLIENT_CRL_FILE / Envoy's crl.pem, and the CA bundle
 * EDGE_CLIENT_CA_FILE / ca.crt): read as the bundle in force, replaced atomically, by both commands. A reader (the local edge polls it, Envoy's watched_directory) sees the old
 * file or the new one, never half of one: the new content goes to a temporary file in the same
 * directory (same file system, so rename is atomic), is fsynced, then renamed over the old one, and
 * the directory is fsynced so the rename survives a crash.
 */

/** The file's content, or '' when it does not exist yet. */
export async function readBundleFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(content, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Writes `content` unless the file already holds exactly it, so the edge never reloads for nothing. */
export async function replaceIfChanged(path: string, content: string, current: string): Promise<boolean> {
  if (content === current) return false;
  await writeFileAtomically(path, content);
  return true;
}
