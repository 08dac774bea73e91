import { join } from 'node:path';
import { type DemoPki, ensureDemoPki } from '@psd2/test-pki';
import { repoRoot } from './processes.js';

/** The test PKI shared by every test file: written once, under a lock, reused while valid. */
export async function testPki(): Promise<DemoPki> {
  return ensureDemoPki(join(repoRoot, '.local', 'test-pki'));
}
