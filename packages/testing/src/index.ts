export { CHROMIUM_PATH, launchTestChromium } from './browser.js';
export {
  CODE_FLOW_STEPS,
  CodeFlowError,
  type CodeFlowParties,
  type CodeFlowRequest,
  type CodeFlowResult,
  type CodeFlowStep,
  type CodeFlowTimings,
  documentationAddress,
  runCodeFlow,
} from './code-flow.js';
export { checkDependencies, type DependencyStatus, testDatabaseUrl, testRedisUrl } from './dependencies.js';
export { edgeAgent, fetchAsTheEdge, serviceTlsEnv, tlsToService } from './edge-identity.js';
export { CERTIFICATE_REFUSED_BY_EDGE, describeFailure, failureOf } from './failures.js';
export { waitForHttp } from './http.js';
export { SAMPLE_EC_PUBLIC_JWK } from './jwks.js';
export { capturingLogger } from './log-capture.js';
export { createIsolatedSchema, type IsolatedSchema } from './postgres.js';
export { freePort, freePorts, repoRoot, type StartedProcess, startNodeProcess } from './processes.js';
export { createIsolatedRedisPrefix } from './redis.js';
export {
  type ClusterNodeAddress,
  type OwnRedisCluster,
  ownRedisCluster,
  SHARED_CLUSTER_PORTS,
  sharedRedisCluster,
  testRedisCluster,
  untilClusterClientReady,
} from './redis-cluster.js';
export { exhaustMemory, type OwnRedisServer, ownRedisServer } from './redis-server.js';
export {
  HTTP_SERVICES,
  type HttpResult,
  type HttpServiceName,
  type RunningSystem,
  type SystemOptions,
  startSystem,
  type TppFetch,
} from './system.js';
export { testPki } from './test-pki.js';
