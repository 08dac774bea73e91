import { checkDependencies } from '@psd2/testing';

/**
 * Fails the whole run at once, naming the missing service and how to start it, rather than letting
 * every integration test time out one by one.
 */
export default async function globalSetup(): Promise<void> {
  const down = (await checkDependencies()).filter((status) => status.error !== undefined);
  if (down.length === 0) return;
  const lines = down.map(
    (status) =>
      `  ${status.name} at ${status.url} is unreachable (${status.error}).\n    Start it with: ${status.howToStart}`,
  );
  throw new Error(`The integration tests need real services:\n${lines.join('\n')}`);
}
