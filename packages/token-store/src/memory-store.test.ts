import { describeTokenStoreContract } from './contract.js';
import { createMemoryTokenStore } from './memory-store.js';

describeTokenStoreContract('in-process', async (clock) => {
  const store = createMemoryTokenStore({ now: clock.now });
  return {
    store,
    dumpStorage: async () => store.debugKeys().join('\n'),
    dispose: () => store.close(),
  };
});
