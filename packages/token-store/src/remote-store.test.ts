import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { describeTokenStoreContract } from './contract.js';
import { TokenStoreUnavailableError } from './errors.js';
import { createMemoryTokenStore } from './memory-store.js';
import { createRemoteTokenStore, hostTokenStore } from './remote-store.js';
import { generateOpaqueToken } from './secrets.js';

describeTokenStoreContract('in-process, shared over loopback (pnpm start without Redis)', async (clock) => {
  const memory = createMemoryTokenStore({ now: clock.now });
  const secret = randomBytes(16).toString('hex');
  const host = await hostTokenStore(memory, { secret });
  const store = createRemoteTokenStore({ url: host.url, secret });
  return {
    store,
    dumpStorage: async () => memory.debugKeys().join('\n'),
    dispose: async () => {
      await store.close();
      await host.close();
      await memory.close();
    },
  };
});

describe('the shared in-process store host', () => {
  it('refuses callers without the secret', async () => {
    const memory = createMemoryTokenStore();
    const host = await hostTokenStore(memory, { secret: 'right' });
    const intruder = createRemoteTokenStore({ url: host.url, secret: 'wrong' });
    await expect(intruder.findAccessToken(generateOpaqueToken())).rejects.toThrow(/401/);
    await host.close();
    await memory.close();
  });

  it('reports an unreachable host as unavailable', async () => {
    const store = createRemoteTokenStore({ url: 'http://127.0.0.1:9', secret: 'x', timeoutMs: 500 });
    await expect(store.ping()).rejects.toBeInstanceOf(TokenStoreUnavailableError);
  });
});
