// Flat config. Layering (who may import whom) is enforced by tests/meta/layering.test.ts;
// formatting by Prettier. This file catches bugs: unhandled promises, hook misuse,
// dead code, and disable comments without a reason.
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'runs/',
      'coverage/',
      'bench/results/',
      // Generated: a base64 string of the compiled WASM kernels.
      'src/runtime/kernels/native_wasm.ts',
      'src/data/assets/',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    languageOptions: {
      // The project service reuses tsconfig.json, so the type-aware rules below see the same program as `tsc`.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      // Only the cheap type-aware rules: a dropped promise in the worker or a UI handler fails silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `_name` marks a parameter kept for its position in a signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      // A stale dependency list is a real bug; an intended one says why in a disable comment.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    plugins: { 'eslint-comments': comments },
    rules: { 'eslint-comments/require-description': ['error', { ignore: [] }] },
  },
);
