import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..');
const schema = fs.readFileSync(path.join(root, 'schema', 'schema.graphql'), 'utf8');

/** Runs the CI check (npm run schema:check) on a temp copy: the released contract, a changed schema and the list of intended breaks. */
function check(changed: string, intended: unknown[] = [], contract = schema): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-contract-'));
  try {
    fs.writeFileSync(path.join(dir, 'contract.graphql'), contract);
    fs.writeFileSync(path.join(dir, 'schema.graphql'), changed);
    fs.writeFileSync(path.join(dir, 'intended.json'), JSON.stringify(intended));
    const run = spawnSync(
      process.execPath,
      ['scripts/schema-contract.js', 'check', '--contract', path.join(dir, 'contract.graphql'), '--schema', path.join(dir, 'schema.graphql'), '--intended', path.join(dir, 'intended.json')],
      { cwd: root, encoding: 'utf8' },
    );
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const NODES = '  """The items, without cursors: a shortcut for `edges { node }`."""\n  nodes: [Customer!]!\n';
const withoutNodes = schema.replace(NODES, '');

describe('the API contract check', () => {
  it('the committed schema keeps the released contract', () => {
    const run = spawnSync(process.execPath, ['scripts/schema-contract.js', 'check'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
  });

  it('fails on a breaking change: a field removed', () => {
    expect(withoutNodes).not.toBe(schema);
    const { status, output } = check(withoutNodes);
    expect(status).toBe(1);
    expect(output).toMatch(/Field nodes was removed from object type CustomerConnection/);
    expect(output).toMatch(/intended-breaking-changes|intended\.json/);
  });

  it('fails on a breaking change: a nullable argument made required', () => {
    const changed = schema.replace(/^type Query \{/m, 'type Query {\n  """Probe."""\n  contractProbe(x: Int!): Int\n');
    const contract = schema.replace(/^type Query \{/m, 'type Query {\n  """Probe."""\n  contractProbe(x: Int): Int\n');
    expect(changed).not.toBe(contract);
    expect(check(changed, [], contract).status).toBe(1);
  });

  it('passes an additive change: a new type and a new optional field', () => {
    const additive = `${schema.replace(NODES, `${NODES}  """A new field."""\n  contractProbe: Int\n`)}\n"""A new type."""\ntype ContractProbe {\n  """A field."""\n  id: ID!\n}\n`;
    expect(additive).not.toBe(schema);
    const { status, output } = check(additive);
    expect(status).toBe(0);
    expect(output).toMatch(/Field contractProbe was added to object type CustomerConnection/);
  });

  it('passes a breaking change listed as intended with its reason, and only that one', () => {
    const intended = [{ path: 'CustomerConnection.nodes', reason: 'Removed after its deprecation period; use edges.' }];
    expect(check(withoutNodes, intended).status).toBe(0);
    const alsoEdges = withoutNodes.replace('  """Items with their cursors."""\n  edges: [CustomerEdge!]!\n', '');
    expect(alsoEdges).not.toBe(withoutNodes);
    expect(check(alsoEdges, intended).status).toBe(1);
  });

  it('refuses an intended break without a reason', () => {
    const { status, output } = check(withoutNodes, [{ path: 'CustomerConnection.nodes' }]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/needs a "path".*and a "reason"/);
  });
});
