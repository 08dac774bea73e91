import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './manifests.js';

/**
 * The service processes whose configuration includes `tokenStoreSettings` (DEPLOYMENT_MODE, REDIS_URL),
 * read from their source so that a service that starts using Redis cannot be forgotten by the manifests:
 * in bank mode each of them refuses to start without REDIS_URL.
 */
export function tokenStoreProcesses(): string[] {
  const services = join(REPO_ROOT, 'services');
  return readdirSync(services)
    .filter((name) => {
      const config = join(services, name, 'src', 'config.ts');
      return existsSync(config) && readFileSync(config, 'utf8').includes('...tokenStoreSettings');
    })
    .sort();
}
