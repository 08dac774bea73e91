export { checkDependencies, type DependencyStatus, testDatabaseUrl, testRedisUrl } from './dependencies.js';
export { createIsolatedSchema, type IsolatedSchema } from './postgres.js';
export { createIsolatedRedisPrefix } from './redis.js';
