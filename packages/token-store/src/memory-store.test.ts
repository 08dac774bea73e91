import { describeTokenStoreContract } from './contract.js';
import { createMemoryTokenStore } from './memory-store.js';

describeTokenStoreContract('in-process', async () => {
  const store = createMemoryTokenStore();
  return {
    store,
    dumpStorage: async () => store.debugKeys().join('\n'),
    dispose: () => store.close(),
  };
});
