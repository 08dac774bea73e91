export {
  databaseRequiredInBankMode,
  pushedAuthorizationRequired,
  pushedAuthorizationSettings,
} from './bank-rules.js';
export type { DeploymentMode } from './fields.js';
export * as env from './fields.js';
export { ConfigError, type ConfigIssue, loadConfig, parseConfig } from './parse.js';
