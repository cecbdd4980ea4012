// One lint config. TypeScript everywhere; resolvers/ additionally get AppSync's own rules
// (APPSYNC_JS: no try/catch, no throw, no classes, no recursion, …) so they stay deployable.
import js from '@eslint/js';
import appsync from '@aws-appsync/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', 'cdk.out/', '.local/', 'web-demo/dist/', '**/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['resolvers/**/*.ts'],
    // bundle.ts is Node code that builds the resolvers, not a resolver.
    ignores: ['resolvers/**/*.test.ts', 'resolvers/bundle.ts'],
    ...appsync.configs.recommended,
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      parser: tseslint.parser,
      parserOptions: { project: './resolvers/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
  },
);
