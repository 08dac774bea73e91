import { readFile } from 'node:fs/promises';
import { readBundleFile, replaceIfChanged } from './bundle-file.js';

/*
 * Where the CA bundle is read and the CRL bundle is read and replaced: two files (a laptop, a VM,
 * a volume shared with the edge), or one Kubernetes Secret (crl-kubernetes-secret.ts).
 */

export interface CrlStore {
  /** Names the destination in messages: a path, or `secret <namespace>/<name>`. */
  readonly description: string;
  readCaBundle(): Promise<string>;
  readCrlBundle(): Promise<string>;
  /** Writes `content` unless it equals `current`; true when it wrote. */
  replaceCrlBundle(content: string, current: string): Promise<boolean>;
}

export function fileStore(caFile: string, outFile: string): CrlStore {
  return {
    description: outFile,
    readCaBundle: () => readFile(caFile, 'utf8'),
    readCrlBundle: () => readBundleFile(outFile),
    replaceCrlBundle: (content, current) => replaceIfChanged(outFile, content, current),
  };
}
