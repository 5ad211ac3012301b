// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'ui/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
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
  prettier,
);
