// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'examples/*/node_modules/**', 'examples/*/cdk.out/**', '**/*.js', '**/*.d.ts', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Scripts people run with plain Node, no build (examples/first-call): Node's globals, and printing is their job.
    files: ['examples/**/*.mjs'],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { 'no-console': 'off' },
  },
  {
    // Constructs share runtime names with the handlers through contract modules, never through handler files.
    files: ['constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '(^|/)lambda(/(?!shared/(gateway|network-guard|chunk-screen|ingest|customization)-contract$)|$)',
          message: 'Constructs import what they share with a handler from lambda/shared/gateway-contract, network-guard-contract, chunk-screen-contract, ingest-contract or customization-contract only.',
        }],
      }],
    },
  },
  {
    // The network guard's contract ships with the construct library: names and one pure function, no imports.
    files: ['lambda/shared/network-guard-contract.ts', 'lambda/shared/chunk-screen-contract.ts', 'lambda/shared/ingest-contract.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '.', message: 'The network-guard contract imports nothing.' }],
      }],
    },
  },
  {
    // The contract ships with the construct library: zod/mini only, no SDK, no Powertools, no handler code.
    files: ['lambda/shared/gateway-contract.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(?!zod/(mini|locales)$)',
          message: 'The gateway contract may import zod/mini and nothing else.',
        }],
      }],
    },
  },
  {
    // The customization contract ships with the construct library: zod and node:crypto only, no SDK, no handler code.
    files: ['lambda/shared/customization-contract.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!(zod|node:crypto)$)', message: 'The customization contract may import zod and node:crypto and nothing else.' }],
      }],
    },
  },
  {
    files: ['**/scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['bin/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '**/scripts/**/*.mjs', 'examples/*/bin/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
