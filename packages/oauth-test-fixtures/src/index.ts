export {
  formPost,
  identityOf,
  type PlantedConsent,
  plantConsent,
  registerTestClient,
  TEST_REDIRECT_URI,
} from './fixtures.js';
