import { defineConfig } from 'eslint/config';
import importPlugin from 'eslint-plugin-import';
import baseConfig from './.config/eslint.config.mjs';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx'];

export default defineConfig([
  {
    ignores: ['**/node_modules/', '**/dist/', '**/coverage/', '**/.eslintcache', 'pkg/'],
  },
  ...baseConfig,
  {
    // PacketFlux rules (shared/STYLE.md): no forgotten promises, type-only imports marked.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // One-way imports (shared/STYLE.md): no import cycle in src/. eslint-plugin-import reads the
    // imported files itself: it parses .ts/.tsx with the TypeScript parser and resolves
    // extensionless relative imports to them. Like every no-cycle rule it leaves type-only
    // imports out (they are erased at build time).
    files: ['src/**/*.{ts,tsx}'],
    plugins: {
      import: importPlugin,
    },
    settings: {
      'import/extensions': SOURCE_EXTENSIONS,
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import/resolver': { node: { extensions: SOURCE_EXTENSIONS } },
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
]);
