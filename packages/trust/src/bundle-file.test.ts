import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readBundleFile, replaceIfChanged, writeFileAtomically } from './bundle-file.js';

/* The bundle file is replaced whole or not at all, and only when its content changes. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crl-file-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the CRL bundle file', () => {
  it('reads a missing file as empty', async () => {
    expect(await readBundleFile(join(dir, 'crl.pem'))).toBe('');
  });

  it('leaves no temporary file and the target untouched when the rename fails', async () => {
    // A directory where the file should be: the content is written and synced, the rename fails.
    const target = join(dir, 'crl.pem');
    await mkdir(target);
    await writeFile(join(target, 'kept'), 'old');
    await expect(writeFileAtomically(target, 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['crl.pem']);
    expect(await readFile(join(target, 'kept'), 'utf8')).toBe('old');
  });

  it('writes only a changed content', async () => {
    const target = join(dir, 'crl.pem');
    expect(await replaceIfChanged(target, 'a', '')).toBe(true);
    expect(await replaceIfChanged(target, 'a', 'a')).toBe(false);
    expect(await readFile(target, 'utf8')).toBe('a');
  });
});
