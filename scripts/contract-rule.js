// A graphql-inspector rule (`graphql-inspector diff old new --rule scripts/contract-rule.js`): a breaking change listed
// in schema/intended-breaking-changes.json, with its reason, is reported as dangerous instead of breaking, so the
// check passes for it and for nothing else. RAPPORT_INTENDED_BREAKING names another list (the contract test does).
const fs = require('node:fs');
const path = require('node:path');

const file = process.env.RAPPORT_INTENDED_BREAKING || path.join(__dirname, '..', 'schema', 'intended-breaking-changes.json');

function intended() {
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file} must hold an array`);
  for (const entry of list) {
    if (!entry || typeof entry.path !== 'string' || typeof entry.reason !== 'string' || entry.reason.trim().length < 10) {
      throw new Error(`${file}: every entry needs a "path" (as graphql-inspector names it, e.g. "Customer.email") and a "reason" of a sentence; got ${JSON.stringify(entry)}`);
    }
  }
  return list;
}

module.exports = ({ changes }) => {
  const list = intended();
  return changes.map((change) => {
    if (change.criticality.level !== 'BREAKING') return change;
    const entry = list.find((e) => e.path === change.path && (!e.type || e.type === change.type));
    if (!entry) return change;
    return { ...change, criticality: { ...change.criticality, level: 'DANGEROUS', reason: `intended: ${entry.reason}` } };
  });
};
