/*
 * The registry's wire contract, generated from proto/psd2/clientregistry/v1 by `pnpm codegen`
 * (buf + ts-proto). Services import it from here rather than from src/gen, so a change of generator
 * layout touches this file only.
 */
export * from './gen/psd2/clientregistry/v1/client_registry.js';
