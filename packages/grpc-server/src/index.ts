/*
 * The server side of every internal gRPC service (client registry, payment consent), so that each
 * does these things one way: the server's options, bind and graceful shutdown (server.ts),
 * grpc.health.v1 from the replica's own state (health.ts), the unary call wrapper
 * with its deadline cap, metric and error mapping (unary.ts), and the process's start and stop (run.ts).
 * What stays in a service: its error kinds (the classifier), its message size, its own-state check.
 */
export { type OwnStateCheck, ServerHealth, type ServerHealthOptions } from './health.js';
export { checkGrpcHealth, type HealthCheckResult } from './health-client.js';
export { type GrpcProcessOptions, runGrpcServer } from './run.js';
export { type GrpcServerOptions, listenAddress, type RunningGrpcServer, startGrpcServer } from './server.js';
export {
  CallDeadlineError,
  type CallFailure,
  type Unary,
  type UnaryOptions,
  type UnaryWork,
  unaryCalls,
} from './unary.js';
