export {
  checkScopes,
  formatScope,
  type GrantType,
  grantTypesForScopes,
  grantTypesProblem,
  type Psd2Role,
  parseScope,
  SCOPES,
  type Scope,
  type ScopeCheck,
  scopesAllowedByRoles,
  scopesForRefresh,
} from './scopes.js';
