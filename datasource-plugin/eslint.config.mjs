import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

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
]);
