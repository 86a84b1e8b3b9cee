import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { plugin, PURE_DIRS, PURE_RULES } from './scripts/lint/boundaries.js';
import { SERVER_TUNABLE_READERS } from './scripts/lint/units.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    plugins: { callprobe: plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'callprobe/unit-imports': 'error',
      'callprobe/server-floors': 'error',
    },
  },
  { files: PURE_DIRS, rules: PURE_RULES },
  // The test plan is pure inside the browser unit: the conductor (run-session.ts) hands it the clock's reading and the environment's capabilities.
  { files: ['src/session/plan/**/*.ts'], rules: PURE_RULES },
  {
    // The report schema is TypeBox at runtime: the analysis, the session and the page import only its types.
    files: ['src/analysis/**/*.ts', 'src/session/**/*.ts', 'src/web/**/*.ts'],
    ignores: ['src/analysis/schema/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@sinclair/typebox', message: 'TypeBox belongs in src/analysis/schema/ only' }],
          patterns: [
            { group: ['**/schema/*-schema.js'], allowTypeImports: true, message: 'import only the types of the report schema here' },
            {
              group: ['**/protocol/api-signal.js'],
              allowTypeImports: true,
              message: 'import only the types of the signalling schemas here; check messages with protocol/signal-check.js',
            },
          ],
        },
      ],
    },
  },
  {
    // Tunables (DEFAULTS: what a flag or option sets) are read by server/'s options modules only;
    // the rest of server/ gets each value through its options object. Constants (CONSTANTS,
    // BOUNDS) may be read anywhere (src/protocol/defaults.ts).
    files: ['server/**/*.ts'],
    ignores: [...SERVER_TUNABLE_READERS, 'server/turn/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/protocol/defaults.js'],
              importNames: ['DEFAULTS'],
              allowTypeImports: true,
              message:
                'DEFAULTS are tunables, read only by the options modules (SERVER_TUNABLE_READERS in scripts/lint/units.js): take the value from your options, or read CONSTANTS / BOUNDS if nobody configures it',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests wait on a state, never on the clock (test/kit/README.md): no fixed sleep outside the
    // kit's wait helpers (test/kit/wait.ts polls, test/kit/pace.ts paces a sender).
    files: ['test/**/*.ts', 'e2e/**/*.ts'],
    ignores: ['test/kit/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        ...['node:timers/promises', 'timers/promises'].map((name) => ({
          name,
          message: 'A fixed sleep: wait on a state instead (waitFor, nextEvent, collector in test/kit/wait.ts; expect.poll or a locator in e2e).',
        })),
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='waitForTimeout']",
          message: 'A fixed sleep: wait for what the page shows (a locator, expect.poll) instead of waitForTimeout.',
        },
        {
          selector: "NewExpression[callee.name='Promise'] CallExpression[callee.name='setTimeout'][arguments.0.type='Identifier']",
          message: 'A fixed sleep (new Promise(r => setTimeout(r, ms))): wait on a state instead (test/kit/wait.ts), or pace a sender with test/kit/pace.ts.',
        },
        {
          selector:
            "NewExpression[callee.name='Promise'] CallExpression[callee.name='setTimeout'] > ArrowFunctionExpression:first-child > CallExpression.body[arguments.length=0]",
          message: 'A fixed sleep (new Promise(r => setTimeout(() => r(), ms))): wait on a state instead (test/kit/wait.ts).',
        },
      ],
    },
  },
  // Function length: at most 150 lines (blank lines and comments not counted) in the product's
  // src, server and client. ESLint cannot exempt a function by name, and no file is exempted:
  // split a function that grows past the bound instead.
  {
    files: ['src/**/*.ts', 'server/**/*.ts', 'client/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['scripts/**/*.js', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
