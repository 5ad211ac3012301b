// @ts-check
import { dirname, relative, resolve } from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = dirname(new URL(import.meta.url).pathname);

/**
 * Modules the browser loads from src/: every `src/hub/**\/schema.ts` (the wire shapes the hub and the UI share)
 * and the pure helpers listed here. They may import only zod and each other — no node:*, no native addon, no
 * server module, not even for types (the UI's tsconfig type-checks them without Node's types).
 */
const SCHEMA_SAFE_HELPERS = [
  'src/hub/events/time.ts',
  // Plain constants the schemas build on, kept zod-free so that `cz` can load them without zod.
  'src/hub/auth/key-format.ts',
  'src/hub/ws/limits.ts',
  'src/hub/verify/defaults.ts',
  'src/hub/query/vocabulary.ts',
];
const isSchemaSafe = (path) =>
  /^src\/hub\/(.+\/)?schema\.ts$/.test(path) || SCHEMA_SAFE_HELPERS.includes(path);

/** `lacrimosa/browser-safe-imports`: see isSchemaSafe; `packages` lists the bare imports allowed ('*': any but node:). */
const browserSafeImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Modules the browser loads import only browser-safe modules' },
    schema: [
      {
        type: 'object',
        properties: { packages: { anyOf: [{ const: '*' }, { type: 'array', items: { type: 'string' } }] } },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const packages = context.options[0]?.packages ?? ['zod'];
    const file = relative(root, context.filename);
    const inUi = file.startsWith('ui/');
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      let problem = null;
      if (source.startsWith('.')) {
        const target = relative(root, resolve(root, dirname(file), source));
        if (!(inUi && target.startsWith('ui/')) && !isSchemaSafe(target)) {
          problem = `${target} is not browser-safe: outside ui/, import only src/hub/**/schema.ts (and ${SCHEMA_SAFE_HELPERS.join(', ')})`;
        }
      } else if (source.startsWith('node:') || (packages !== '*' && !packages.includes(source))) {
        problem = `"${source}" may not be imported here: this module is loaded by the browser (allowed packages: ${packages === '*' ? 'any but node:*' : packages.join(', ')})`;
      }
      if (problem) context.report({ node: node.source, message: problem });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
const lacrimosa = { rules: { 'browser-safe-imports': browserSafeImports } };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'ui/dist/', 'test/browser/screenshots/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    // UI code runs in the browser (its block below); its tests and vite.config.ts get Node's globals there too.
    ignores: ['ui/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Layering (ARCHITECTURE.md): lower layers never import higher ones.
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['../*', '!../core/*'], message: 'src/core imports nothing outside src/core' }],
        },
      ],
    },
  },
  {
    files: ['src/native/**/*.ts'],
    ignores: ['src/native/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../journal/*', '../ipc/*', '../sequencer/*', '../hub/*', '../cli/*', '../../proofs/*'],
              message: 'src/native may import only src/core',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/journal/**/*.ts'],
    ignores: ['src/journal/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../ipc/*', '../sequencer/*', '../hub/*', '../cli/*', '../../proofs/*'],
              message: 'src/journal may import only src/core and src/native',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ipc/**/*.ts'],
    ignores: ['src/ipc/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../native/*',
                '../journal/*',
                '../sequencer/*',
                '../hub/*',
                '../cli/*',
                '../../proofs/*',
              ],
              message: 'src/ipc may import only src/core',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/sequencer/**/*.ts'],
    ignores: ['src/sequencer/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../hub/*', '../cli/*', '../../proofs/*'],
              message: 'src/sequencer may not import the hub, the CLI or proofs',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/hub/**/*.ts'],
    ignores: ['src/hub/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../sequencer/*', '../../sequencer/*', '../cli/*', '../../cli/*'],
              message: 'src/hub talks to the sequencer over IPC only, and never imports the CLI',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['proofs/**/*.ts'],
    ignores: ['proofs/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../src/cli/*', '../../src/cli/*'], message: 'proofs/ must not import the CLI' },
          ],
        },
      ],
    },
  },
  // Browser-loaded code: the schema modules the UI shares with the hub, and the UI itself.
  {
    files: ['src/hub/**/schema.ts', ...SCHEMA_SAFE_HELPERS],
    plugins: { lacrimosa },
    rules: { 'lacrimosa/browser-safe-imports': 'error' },
  },
  {
    files: ['ui/**/*.{ts,tsx}'],
    ignores: ['ui/vite.config.ts', 'ui/**/*.test.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { lacrimosa },
    rules: { 'lacrimosa/browser-safe-imports': ['error', { packages: '*' }] },
  },
  {
    files: ['ui/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['ui/vite.config.ts', 'ui/**/*.test.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  prettier,
);
