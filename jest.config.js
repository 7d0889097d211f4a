/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // The Lambda bundles are built once, before every test, by the script the package build uses; the run gets its own
  // temporary directory, removed after it.
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  // Removes the temporary output directories of the test apps after each test file.
  setupFilesAfterEnv: ['<rootDir>/test/setup-after-env.ts'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run typecheck`; jest only transpiles.
    '^.+\\.tsx?$': 'ts-jest',
    // htmlparser2 and its dependencies ship only ES modules, which jest's CommonJS runtime cannot load: ts-jest
    // compiles them to CommonJS (esbuild bundles them for Lambda as they are).
    '/node_modules/(htmlparser2|domhandler|domelementtype|domutils|dom-serializer|entities)/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(htmlparser2|domhandler|domelementtype|domutils|dom-serializer|entities)/)'],
  // On a fresh machine the files that synthesize whole apps start first (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 120000,
  maxWorkers: 2,
};
