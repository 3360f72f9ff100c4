#!/usr/bin/env node
// Fails when a root field of the schema (Query, Mutation, Subscription) has no operation in
// sdk/operations: a domain that adds a field must add its SDK operation too. Run by `npm run sdk:check`
// and by test/sdk.test.ts.
'use strict';
const { readFileSync, readdirSync } = require('node:fs');
const path = require('node:path');
const { buildSchema, Kind, parse } = require('graphql');

const ROOT = path.resolve(__dirname, '..', '..');

/** @returns {{ operation: string, field: string }[]} root fields without an operation, e.g. { operation: 'query', field: 'orders' } */
function missingOperations(root = ROOT) {
  const schema = buildSchema(readFileSync(path.join(root, 'schema', 'schema.graphql'), 'utf8'));
  const dir = path.join(root, 'sdk', 'operations');
  const definitions = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .flatMap((f) => parse(readFileSync(path.join(dir, f), 'utf8')).definitions);
  const fragments = new Map(definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));

  const covered = { query: new Set(), mutation: new Set(), subscription: new Set() };
  const collect = (selectionSet, into) => {
    for (const s of selectionSet.selections) {
      if (s.kind === Kind.FIELD) into.add(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) collect(s.selectionSet, into);
      else if (fragments.has(s.name.value)) collect(fragments.get(s.name.value).selectionSet, into);
    }
  };
  for (const d of definitions) if (d.kind === Kind.OPERATION_DEFINITION) collect(d.selectionSet, covered[d.operation]);

  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  return Object.entries(roots).flatMap(([operation, type]) =>
    type ? Object.keys(type.getFields()).filter((field) => !covered[operation].has(field)).map((field) => ({ operation, field })) : [],
  );
}

module.exports = { missingOperations };

if (require.main === module) {
  const missing = missingOperations();
  if (missing.length) {
    console.error('Root fields without an SDK operation in sdk/operations/*.graphql:');
    for (const m of missing) console.error(`  ${m.operation} ${m.field}`);
    console.error('Add an operation for each (see sdk/README.md), then run `npm run sdk:generate`.');
    process.exit(1);
  }
  console.log('sdk/operations covers every root field of the schema.');
}
