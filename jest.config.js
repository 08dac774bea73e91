// One Jest run covers every workspace. Sources are TypeScript ES modules; @swc/jest strips types
// per file (type-checking is `tsc -b`'s job, run before the tests), and Node's VM modules run them
// natively so ESM-only dependencies such as jose load as they do in production.
const swcOptions = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // Workspace packages resolve to their TypeScript source, as tsc does with `customConditions`.
  testEnvironmentOptions: { customExportConditions: ['@psd2/source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: [
    '<rootDir>/packages',
    '<rootDir>/services',
    '<rootDir>/test',
    '<rootDir>/scripts',
    '<rootDir>/deploy',
    '<rootDir>/bench',
  ],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/scripts/dist/jest-global-setup.js',
  testTimeout: 30_000,
};
