#!/usr/bin/env node
// The API contract's checks (README "Versioning and deprecation"), with graphql-inspector:
//   node scripts/schema-contract.js check           schema/schema.graphql against schema/contract.graphql, the last
//                                                   released contract; fails on a breaking change not listed with a
//                                                   reason in schema/intended-breaking-changes.json (CI runs this)
//   node scripts/schema-contract.js diff <git ref>  schema/schema.graphql against the one at a git ref, for reviewers
//   node scripts/schema-contract.js release         the current schema becomes the contract; the list is emptied
// A committed contract rather than "main's schema": CI's clean clone may have no main branch to compare with.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const inspector = path.join(root, 'node_modules', '.bin', 'graphql-inspector');
const rule = path.join(__dirname, 'contract-rule.js');

/** Runs `graphql-inspector diff`; returns its exit status (1 on a breaking change). */
function diff(oldSchema, newSchema, env = {}) {
  const run = spawnSync(inspector, ['diff', oldSchema, newSchema, '--rule', rule], { stdio: 'inherit', env: { ...process.env, ...env } });
  if (run.error) throw run.error;
  return run.status ?? 1;
}

function check({ contract = 'schema/contract.graphql', schema = 'schema/schema.graphql', intended = 'schema/intended-breaking-changes.json' } = {}) {
  const status = diff(path.resolve(root, contract), path.resolve(root, schema), { RAPPORT_INTENDED_BREAKING: path.resolve(root, intended) });
  if (status !== 0) {
    process.stderr.write(
      `\nThe schema breaks the released contract (${contract}). Make the change additive instead (add the new field, mark the old one ` +
        `@deprecated(reason: "...") and remove it after the deprecation period), or, if the break is intended, list it in ${intended} ` +
        `as { "path": "Type.field", "reason": "..." } and add it to CHANGELOG.md under "Removed" or "Changed".\n`,
    );
  }
  return status;
}

function main(argv) {
  const [command, ...args] = argv;
  if (command === 'check') {
    const options = {};
    for (let i = 0; i < args.length; i += 2) options[args[i].replace(/^--/, '')] = args[i + 1];
    return check(options);
  }
  if (command === 'diff') {
    const ref = args[0];
    if (!ref) {
      process.stderr.write('usage: npm run schema:diff -- <git ref>   (for example origin/main or v0.1.0)\n');
      return 2;
    }
    return diff(`git:${ref}:schema/schema.graphql`, path.join(root, 'schema', 'schema.graphql'));
  }
  if (command === 'release') {
    fs.copyFileSync(path.join(root, 'schema', 'schema.graphql'), path.join(root, 'schema', 'contract.graphql'));
    fs.writeFileSync(path.join(root, 'schema', 'intended-breaking-changes.json'), '[]\n');
    process.stdout.write('schema/contract.graphql is now the released contract; schema/intended-breaking-changes.json is empty.\n');
    return 0;
  }
  process.stderr.write('usage: schema-contract.js check | diff <git ref> | release\n');
  return 2;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
module.exports = { check, diff };
