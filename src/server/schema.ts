import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { applyFieldMasks } from '../core/masking';
import { resolvers } from './resolvers';

let cached: Promise<GraphQLSchema> | null = null;

/** The schema is built once per process from the resolvers' decorators. */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= Promise.resolve().then(readPropertiesDirectly).then(() => buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  })).then((schema) => {
    applyFieldMasks(schema);
    // type-graphql has no decorator for the root types' own descriptions.
    schema.getQueryType()!.description = 'Read the CRM: customers and everything around them, by ID or as filtered, paginated lists.';
    schema.getMutationType()!.description = 'Change the CRM. Every mutation takes one `input` and returns the changed object with `userErrors`; when there are userErrors nothing was written.';
    return schema;
  });
  return cached;
}

/**
 * type-graphql gives every plain property field a resolver that builds a middleware chain to read `root[name]`,
 * about a tenth of the CPU of a list page. A field with no middleware, no roles and its property's own name is read
 * by graphql's default resolver instead (the same value). Masked fields are wrapped after the build (applyFieldMasks).
 */
function readPropertiesDirectly(): void {
  const storage = getMetadataStorage();
  const withMiddleware = new Set(storage.middlewares.map((m) => m.fieldName));
  for (const field of storage.fields) {
    if (field.simple === undefined && field.name === field.schemaName && !withMiddleware.has(field.name) && !field.roles?.length) field.simple = true;
  }
}

/** SDL as committed to schema/schema.graphql: sorted, so diffs show real changes only. */
export async function printSortedSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await getSchema())) + '\n';
}
