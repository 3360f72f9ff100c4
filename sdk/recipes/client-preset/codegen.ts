// Recipe: your own typed operations with graphql-codegen's client preset, against the schema shipped in the package.
// Run `npx graphql-codegen --config codegen.ts`. test/sdk-recipes.test.ts runs it and compiles the result (strict).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'node_modules/@rapport/sdk/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        // Compact typed strings instead of ASTs: `rapport.request` sends them as they are, with no `graphql` at run time.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', Decimal: 'string', SafeInt: 'number', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
