// ESLint (flat config): @eslint/js and typescript-eslint recommended. What is switched off, and why, is in the
// README (Development, Lint); every rule left on is an error, so `npm run lint` prints nothing or fails.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's globals, for the plain JavaScript scripts (TypeScript files are checked by tsc). */
const node = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    '__dirname',
    '__filename',
    'require',
    'module',
    'exports',
    'global',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'queueMicrotask',
    'URL',
    'TextEncoder',
    'TextDecoder',
    'performance',
    'structuredClone',
    'AbortController',
    'fetch',
  ].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'dist-vsix/**', 'node_modules/**', '.tmp/**', 'test-results/**', 'examples/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: node },
    rules: {
      // Deliberate: control characters are escaped in output, ANSI colours are matched in tests.
      'no-control-regex': 'off',
      // Test expectations spell indentation out with literal spaces.
      'no-regex-spaces': 'off',
      // New in ESLint 10; the code predates it.
      'preserve-caught-error': 'off',
      // Errors, not warnings: the spots they found were fixed, and a warning nobody has to act on comes back.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-useless-escape': 'error',
      'no-useless-assignment': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'prefer-const': 'error',
      '@typescript-eslint/no-this-alias': 'error',
    },
  },
  {
    // Tests read JSON (SARIF, LSP payloads) whose shape they assert: `any` is the honest type there.
    files: ['test/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS files (VS Code's test harness, the preloaded security hook).
    files: ['**/*.cjs', 'test/e2e/electron-suite/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
