import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSortedSchema } from '../server/schema';

/** Writes schema/schema.graphql from the code; CI fails when the committed copy is stale. */
async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? 'schema/schema.graphql');
  writeFileSync(target, await printSortedSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
