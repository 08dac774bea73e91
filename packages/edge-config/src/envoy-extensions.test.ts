import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ENVOY_CORE_NAMES, ENVOY_IMAGE_EXTENSIONS, unknownToImage } from './envoy-image-extensions.js';
import { type EnvoySchema, loadEnvoySchema } from './envoy-schema.js';
import { ENVOY_DIR, envoyText } from './envoy-yaml.test-support.js';

/* Every extension envoy.yaml and its SDS files use is built into the pinned image. */

const files = ['envoy.yaml', 'sds-server-certificate.yaml', 'sds-client-ca.yaml', 'sds-upstream-tls.yaml'];

let schema: EnvoySchema;
beforeAll(() => {
  schema = loadEnvoySchema();
});

describe('the extensions of envoy/*.yaml', () => {
  it.each(files)('%s uses only what envoy-distroless v1.34 has built in', (file) => {
    expect(unknownToImage(readFileSync(new URL(file, ENVOY_DIR), 'utf8'))).toEqual([]);
  });

  it('finds the names and @types of the config (the check is not vacuous)', () => {
    expect(envoyText.match(/\bname: envoy\./g)?.length ?? 0).toBeGreaterThanOrEqual(15);
    expect(
      unknownToImage(envoyText.replaceAll('envoy.filters.http.buffer', 'envoy.filters.http.bufer')),
    ).toEqual(['extension envoy.filters.http.bufer']);
    const unknownType = envoyText.replace(
      'extensions.filters.http.router.v3.Router',
      'extensions.filters.http.wasm.v3.Wasm',
    );
    expect(unknownToImage(unknownType)).toEqual(['@type envoy.extensions.filters.http.wasm.v3.Wasm']);
  });

  it('lists real Envoy config messages, more than the config uses', () => {
    const listed = [...ENVOY_IMAGE_EXTENSIONS, ...ENVOY_CORE_NAMES];
    expect(ENVOY_IMAGE_EXTENSIONS.length).toBeGreaterThanOrEqual(35);
    for (const extension of listed) {
      for (const type of extension.configTypes) expect([type, schema.hasType(type)]).toEqual([type, true]);
    }
    expect(new Set(listed.map((extension) => extension.name)).size).toBe(listed.length);
  });
});
