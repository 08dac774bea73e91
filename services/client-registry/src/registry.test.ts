import { describe } from '@jest/globals';
import { describeCreateAndReadContract } from './contract-create.js';
import { describeTokenDeleteAndListContract } from './contract-lifecycle.js';
import { describeReplaceContract } from './contract-replace.js';
import { backends, useContractHarness } from './test-support.js';

/*
 * The registry's contract, over real gRPC, run once on PostgreSQL and once on PGlite: the embedded
 * database must behave exactly as production's. The cases live in contract-*.ts, by operation.
 */

describe.each(backends)('client registry on $name', (backend) => {
  const contract = useContractHarness(backend, 'client_registry_contract');
  describeCreateAndReadContract(contract);
  describeReplaceContract(contract);
  describeTokenDeleteAndListContract(contract);
});
