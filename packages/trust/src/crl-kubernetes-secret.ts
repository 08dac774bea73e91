import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { CrlStore } from './crl-store.js';

/*
 * The CronJob's store: the qtsp-ca-bundle Secret the edge mounts, read and patched through the
 * Kubernetes API with the job's own ServiceAccount token (kubectl is not in the image). The Role
 * grants get and patch on that one Secret only (deploy/k8s/base/crl-refresh.yaml). The patch
 * carries the resourceVersion read, so a concurrent change (an operator replacing ca.crt) makes it
 * fail with 409 rather than be overwritten; the next run starts again from the new content.
 */

export interface KubernetesSecretTarget {
  /** e.g. https://10.96.0.1:443 */
  readonly apiUrl: string;
  readonly token: string;
  /** The cluster CA the API server's certificate is checked against. */
  readonly caPem: string;
  readonly namespace: string;
  readonly name: string;
}

export const CA_KEY = 'ca.crt';
export const CRL_KEY = 'crl.pem';
/** The API server refuses a Secret whose data (all keys, decoded) exceeds 1 MiB. */
export const SECRET_MAX_BYTES = 1024 * 1024;
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TIMEOUT_MS = 15_000;

interface SecretObject {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly data?: Readonly<Record<string, string>>;
}

function call(target: KubernetesSecretTarget, method: 'GET' | 'PATCH', body?: string): Promise<string> {
  const url = new URL(
    `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/secrets/${encodeURIComponent(target.name)}`,
    target.apiUrl,
  );
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.token}`,
    accept: 'application/json',
    ...(body === undefined
      ? {}
      : {
          'content-type': 'application/merge-patch+json',
          'content-length': String(Buffer.byteLength(body)),
        }),
  };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, ca: target.caPem, timeout: TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode === 200) return resolve(text);
        // The API's Status message names the problem (forbidden, conflict); it never echoes the token.
        let message = '';
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? '';
        } catch {
          // Not a Status object (a proxy's page): the status code says enough.
        }
        reject(
          new Error(
            `${method} secret ${target.namespace}/${target.name}: HTTP ${response.statusCode} ${message}`.trim(),
          ),
        );
      });
    });
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${method} secret: no answer within ${TIMEOUT_MS} ms`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export function kubernetesSecretStore(target: KubernetesSecretTarget): CrlStore {
  let read: Promise<SecretObject> | undefined;
  const secret = () => {
    read ??= call(target, 'GET').then((text) => JSON.parse(text) as SecretObject);
    return read;
  };
  const key = async (name: string) => {
    const value = (await secret()).data?.[name];
    return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  };
  return {
    description: `secret ${target.namespace}/${target.name} (${CRL_KEY})`,
    async readCaBundle() {
      const pem = await key(CA_KEY);
      if (pem === '') throw new Error(`secret ${target.namespace}/${target.name} has no ${CA_KEY}`);
      return pem;
    },
    readCrlBundle: () => key(CRL_KEY),
    async replaceCrlBundle(content, current) {
      if (content === current) return false;
      const read = await secret();
      const others = Object.entries(read.data ?? {})
        .filter(([name]) => name !== CRL_KEY)
        .reduce((total, [, value]) => total + Buffer.from(value, 'base64').length, 0);
      const size = others + Buffer.byteLength(content);
      if (size > SECRET_MAX_BYTES) {
        throw new Error(
          `would hold ${size} bytes, over the 1 MiB a Secret can hold: keep the CRLs in a volume instead (docs/operations-crl.md)`,
        );
      }
      const resourceVersion = read.metadata?.resourceVersion;
      const patch = {
        metadata: resourceVersion === undefined ? {} : { resourceVersion },
        data: { [CRL_KEY]: Buffer.from(content, 'utf8').toString('base64') },
      };
      await call(target, 'PATCH', JSON.stringify(patch));
      return true;
    },
  };
}

/** The target as a pod sees it: the API server from the environment, token, CA and namespace from the mounted ServiceAccount. */
export async function inClusterSecretTarget(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
): Promise<KubernetesSecretTarget> {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host === undefined || host === '') {
    throw new Error('--secret runs inside a pod only (KUBERNETES_SERVICE_HOST is not set)');
  }
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const read = (file: string) => readFile(join(serviceAccountDir, file), 'utf8');
  return {
    apiUrl: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: (await read('token')).trim(),
    caPem: await read('ca.crt'),
    namespace: (await read('namespace')).trim(),
    name,
  };
}
