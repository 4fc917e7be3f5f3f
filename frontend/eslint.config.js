// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { reactRefresh } from 'eslint-plugin-react-refresh';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const FEATURES = ['chat', 'learn', 'market', 'portfolio', 'profile'];

// Features stay independent so each can be rebuilt without touching the others: shared code
// moves down to src/components or src/lib. The generated client is reached only through
// src/lib/api.ts, so a regenerated SDK with renamed operations is a one-file change.
const NO_GENERATED_CLIENT = {
  group: ['@/client', '@/client/**', '**/client/*.gen'],
  message: 'Use the wrapper in @/lib/api instead of the generated client.',
};
const NO_APP = { group: ['@/app/**'], message: 'Only the app shell composes the app shell.' };
const NO_FEATURES = {
  group: ['@/features/**'],
  message: 'Shared code must not depend on features; move the shared part down instead.',
};

/**
 * One block per directory, because ESLint replaces (does not merge) a rule's options when two
 * blocks match the same file.
 * @param {string} glob
 * @param {Array<{group: string[], message: string}>} patterns
 */
function restrictImports(glob, patterns) {
  return {
    files: [`${glob}/*.{ts,tsx}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

const featureBoundaries = FEATURES.map((feature) =>
  restrictImports(`src/features/${feature}/**`, [
    {
      group: FEATURES.filter((other) => other !== feature).flatMap((other) => [
        `@/features/${other}`,
        `@/features/${other}/**`,
        `**/features/${other}/**`,
        `../${other}/**`,
        `../../${other}/**`,
      ]),
      message: 'Features must not import each other; move shared code to src/components or src/lib.',
    },
    NO_GENERATED_CLIENT,
    NO_APP,
  ]),
);

export default defineConfig([
  globalIgnores(['dist/', 'src/client/', 'node_modules/', 'test-results/', 'coverage/']),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [
      js.configs.recommended,
      tseslint.configs.strictTypeChecked,
      tseslint.configs.stylisticTypeChecked,
      reactHooks.configs.flat.recommended,
      reactRefresh.configs.vite(),
    ],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  restrictImports('src/lib/**', [NO_FEATURES, NO_APP]),
  restrictImports('src/components/**', [NO_FEATURES, NO_APP, NO_GENERATED_CLIENT]),
  restrictImports('src/app/**', [NO_GENERATED_CLIENT]),
  ...featureBoundaries,
  {
    files: ['**/*.test.{ts,tsx}', 'src/test/**'],
    rules: {
      // Tests build partial fakes on purpose.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'react-refresh/only-export-components': 'off',
    },
  },
  {
    files: ['public/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['**/*.{js,mjs}'],
    ignores: ['public/**'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    // Callbacks passed to page.evaluate() run in the browser, with axe injected.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, axe: 'readonly' } },
  },
]);
