// A graphql-codegen plugin wrapper (see codegen.yml): runs `config.wraps` (typescript, typescript-operations) on the
// schema with the lifecycle stage key fields typed as the scalar LifecycleStageKey instead of String, so the SDK types
// them as the built-in keys plus any string (sdk/src/lifecycle.ts). The wire format is unchanged: the server sends
// and takes strings, because stages are data an admin can extend. Only the SDK's types see this scalar.
'use strict';
const { buildSchema, printSchema } = require('graphql');

/** Type → fields whose (possibly list or non-null) String is a lifecycle stage key. */
const STAGE_KEY_FIELDS = {
  LifecycleStage: ['key'],
  LifecycleFunnelStage: ['stage'],
  StageMoveCount: ['stage'],
  AssignmentRule: ['lifecycleStages'],
  CreateCustomerInput: ['lifecycleStage'],
  MoveCustomerToStageInput: ['stage'],
  SetContactCadenceInput: ['stage'],
  CreateAssignmentRuleInput: ['lifecycleStages'],
  UpdateAssignmentRuleInput: ['lifecycleStages'],
};

const cache = new WeakMap();

function withStageKeys(schema) {
  if (cache.has(schema)) return cache.get(schema);
  let type;
  const found = new Set();
  const lines = printSchema(schema)
    .split('\n')
    .map((line) => {
      const start = /^(?:type|input|interface) (\w+)/.exec(line);
      if (start) type = start[1];
      if (line === '}') type = undefined;
      const field = /^  (\w+)(?:\(.*\))?: \[?String\b/.exec(line);
      if (!type || !field || !STAGE_KEY_FIELDS[type]?.includes(field[1])) return line;
      found.add(`${type}.${field[1]}`);
      return line.replace(/: (\[?)String\b/, ': $1LifecycleStageKey');
    });
  const expected = Object.entries(STAGE_KEY_FIELDS).flatMap(([t, fields]) => fields.map((f) => `${t}.${f}`));
  const missing = expected.filter((f) => !found.has(f));
  // A renamed or retyped field must not silently fall back to string.
  if (missing.length) throw new Error(`codegen-stage-keys: no String field ${missing.join(', ')} in the schema`);
  const transformed = buildSchema(`${lines.join('\n')}\n\n"""A lifecycle stage key (a String on the wire)."""\nscalar LifecycleStageKey\n`);
  cache.set(schema, transformed);
  return transformed;
}

module.exports = {
  plugin(schema, documents, config, info) {
    return require(config.wraps).plugin(withStageKeys(schema), documents, config, info);
  },
  STAGE_KEY_FIELDS,
};
