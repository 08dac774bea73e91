/*
 * The operators' API wire contract, generated from proto/psd2/admin/v1 by `pnpm codegen` (buf +
 * ts-proto), and its promise client. The registry's admin server and the `pnpm admin` CLI import it from
 * here rather than from src/gen, so a change of generator layout touches this file only.
 */

export { connectOperatorApi, type OperatorApi } from './client.js';
export * from './gen/psd2/admin/v1/admin.js';
