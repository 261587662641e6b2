import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import prettier from 'eslint-config-prettier';

// Data flows one way between the collector's stages (shared/STYLE.md).
const STAGE_ZONES = [
  { target: './collector/src/!(cli)/**', from: './collector/src/cli' },
  { target: './collector/src/!(cli|api)/**', from: './collector/src/api' },
  { target: './collector/src/decode', from: './collector/src/!(common|decode)/**' },
  { target: './collector/src/common', from: './collector/src/!(common)/**' },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      '**/coverage/**',
      'datasource-plugin/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['collector/src/**/*.ts', 'collector/test/**/*.ts', 'collector/bench/**/*.ts', 'tests/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
      'import/no-restricted-paths': ['error', { zones: STAGE_ZONES }],
    },
  },
  {
    // The product never imports test fixtures, helpers or benches, so dist/ ships the product alone.
    files: ['collector/src/**/*.ts'],
    ignores: ['collector/src/**/*.test.ts'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            ...STAGE_ZONES,
            { target: './collector/src', from: ['./collector/test', './collector/bench'] },
          ],
        },
      ],
    },
  },
  prettier,
);
