import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { resolvers } from './resolvers';

let cached: Promise<GraphQLSchema> | null = null;

/** The schema is built once per process from the resolvers' decorators. */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  }).then((schema) => {
    // type-graphql has no decorator for the root types' own descriptions.
    schema.getQueryType()!.description = 'Read the CRM: customers and everything around them, by ID or as filtered, paginated lists.';
    schema.getMutationType()!.description = 'Change the CRM. Every mutation takes one `input` and returns the changed object with `userErrors`; when there are userErrors nothing was written.';
    return schema;
  });
  return cached;
}

/** SDL as committed to schema/schema.graphql: sorted, so diffs show real changes only. */
export async function printSortedSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await getSchema())) + '\n';
}
