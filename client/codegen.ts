/**
 * A worked example of client-side codegen: @graphql-codegen/client-preset over the client schema
 * (client/schema.graphql) and the README's example operations (client/operations.graphql), with
 * the project's scalar map (codegen.yml). It writes client/generated/: a typed document per
 * operation (`PlaceDocument`, `MineDocument`, …) that Apollo Client, urql or graphql-request
 * take as they are, with result and variable types.
 *
 *   npm run codegen:client        # from the repository root
 *   test/unit/codegen.test.ts     # checks client/generated/ is up to date and type-checks it
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { scalarMap } from './build-schema.js';

const config: CodegenConfig = {
  overwrite: true,
  // ESM imports with .js extensions, as this project (NodeNext) and any ESM app needs.
  emitLegacyCommonJSImports: false,
  schema: 'client/schema.graphql',
  documents: ['client/operations.graphql'],
  generates: {
    'client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars: scalarMap(), enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
