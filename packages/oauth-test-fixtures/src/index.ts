export { deleteThroughEdge, type EdgeRegistration, registerThroughEdge } from './edge-registration.js';
export {
  formPost,
  identityOf,
  type PlantedConsent,
  plantConsent,
  registerTestClient,
  TEST_REDIRECT_URI,
} from './fixtures.js';
