// The SDK as a team installs it: `npm pack` (prepack builds dist), the tarball unpacked into a project of its own,
// required as CommonJS, imported as an ES module, type-checked under node16 resolution, and bundled for a browser.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '..');
const SDK = path.join(ROOT, 'sdk');
/** The goal for one query in a browser bundle, minified and gzipped. */
const BUNDLE_GOAL_BYTES = 15 * 1024;

let work: string;
let project: string;
let packedFiles: string[];

function sh(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rapport-sdk-'));
  const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], SDK)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed!.files.map((f) => f.path);
  // A project of its own, with only the SDK installed: no graphql, no typescript, nothing of the repository.
  project = path.join(work, 'project');
  const installed = path.join(project, 'node_modules', '@rapport', 'sdk');
  mkdirSync(installed, { recursive: true });
  sh('tar', ['-xzf', path.join(work, packed!.filename), '-C', installed, '--strip-components=1'], work);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'team-app', private: true }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed SDK', () => {
  it('ships dist (ESM and CJS with declarations), schema.graphql and the operations, and no sources', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'schema.graphql',
        'operations/customers.graphql',
        'operations/customer360.graphql',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/documents.js',
        'dist/esm/index.mjs',
        'dist/esm/index.d.mts',
        'dist/esm/documents.mjs',
      ]),
    );
    expect(packedFiles.filter((f) => f.startsWith('src/') || f.startsWith('recipes/') || f.startsWith('scripts/'))).toEqual([]);
    expect(readFileSync(path.join(project, 'node_modules/@rapport/sdk/schema.graphql'), 'utf8')).toBe(readFileSync(path.join(SDK, 'schema.graphql'), 'utf8'));
  });

  it('is publishable: exports for both module systems, no side effects, a license, a repository and engines', () => {
    const pkg = JSON.parse(readFileSync(path.join(project, 'node_modules/@rapport/sdk/package.json'), 'utf8'));
    expect(pkg).toMatchObject({ sideEffects: false, license: 'MIT', engines: { node: expect.any(String) }, repository: { directory: 'sdk' } });
    for (const entry of ['.', './documents']) {
      expect(Object.keys(pkg.exports[entry])).toEqual(['import', 'require']);
      expect(Object.keys(pkg.exports[entry].import)).toEqual(['types', 'default']);
    }
    expect(pkg.dependencies.graphql).toBeUndefined();
    expect(pkg.peerDependenciesMeta.graphql.optional).toBe(true);
  });

  it('can be required as CommonJS and imported as an ES module, without graphql installed', () => {
    const check = (m: string) =>
      `${m}.createClient({ url: 'http://x/graphql', fetch: async () => ({}) }).customer360 && ` +
      `${m}.CustomerDocument.startsWith('query customer(') && ${m}.RAPPORT_ERROR_CODES.includes('IDEMPOTENCY_KEY_REUSED')`;
    const cjs = `const sdk = require('@rapport/sdk'); const docs = require('@rapport/sdk/documents');
      console.log(String(${check('sdk')} && docs.Customer360Document.kind === 'Document'));`;
    expect(sh(process.execPath, ['-e', cjs], project).trim()).toBe('true');
    const esm = `import * as sdk from '@rapport/sdk'; import { Customer360Document } from '@rapport/sdk/documents';
      console.log(String(${check('sdk')} && Customer360Document.kind === 'Document'));`;
    expect(sh(process.execPath, ['--input-type=module', '-e', esm], project).trim()).toBe('true');
    expect(existsSync(path.join(project, 'node_modules', 'graphql'))).toBe(false);
  });

  it('type-checks for ES module and CommonJS consumers (node16 resolution, strict)', () => {
    // The type-only dependencies a real install brings along.
    for (const dep of ['@graphql-typed-document-node', 'graphql', 'typescript']) {
      symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(project, 'node_modules', dep), 'dir');
    }
    const consumer = `import { createClient, RapportGraphQLError } from '@rapport/sdk';
import type { Customer360Query } from '@rapport/sdk';
import { Customer360Document } from '@rapport/sdk/documents';
const rapport = createClient({ url: 'http://x/graphql' });
export async function name(id: string): Promise<string | undefined> {
  const data: Customer360Query = await rapport.customer360({ id }, { timeout: 5 });
  const same: Customer360Query = await rapport.request(Customer360Document, { id });
  // @ts-expect-error: options are typed
  await rapport.customer360({ id }, { timeoutt: 5 });
  return data.customer?.name ?? same.customer?.name ?? (new RapportGraphQLError([]).code);
}
`;
    writeFileSync(path.join(project, 'esm.mts'), consumer);
    writeFileSync(path.join(project, 'cjs.cts'), consumer);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, types: [] },
        files: ['esm.mts', 'cjs.cts'],
      }),
    );
    let diagnostics = '';
    try {
      sh(process.execPath, [path.join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
    } catch (e) {
      diagnostics = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(diagnostics).toBe('');
  });

  it(`bundles one query for the browser in under ${BUNDLE_GOAL_BYTES / 1024} KB gzipped, without graphql and without the other documents`, async () => {
    writeFileSync(
      path.join(project, 'one-query.mjs'),
      `import { createRequestClient, Customer360Document } from '@rapport/sdk';
const rapport = createRequestClient({ url: '/graphql', token: 'key' });
rapport.request(Customer360Document, { id: location.hash.slice(1) }).then((data) => document.title = data.customer?.name ?? '');
`,
    );
    const result = await build({ absWorkingDir: project, entryPoints: ['one-query.mjs'], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true });
    const code = result.outputFiles[0]!.text;
    const gzipped = gzipSync(code).length;
    console.log(`one query through createRequestClient: ${code.length} bytes minified, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(BUNDLE_GOAL_BYTES);
    expect(Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules/graphql/'))).toEqual([]);
    expect(code).toContain('query customer360(');
    expect(code).not.toContain('mutation createCustomer(');
  });
});

describe("the SDK's build", () => {
  it('works in a copy of sdk/ outside the repository, with only its own devDependencies', () => {
    const copy = path.join(work, 'sdk-copy');
    // Without the recipes: test/sdk-recipes.test.ts may be generating files there right now, and the build does not read them.
    cpSync(SDK, copy, { recursive: true, filter: (src) => !/[/\\](dist|node_modules|recipes)$/.test(src) });
    // Stands in for `npm install` in the copy: the packages its devDependencies name, at the versions the repo uses.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    sh('npm', ['run', 'build', '--silent'], copy);
    expect(existsSync(path.join(copy, 'dist/cjs/index.js'))).toBe(true);
    expect(existsSync(path.join(copy, 'dist/esm/index.mjs'))).toBe(true);
    const devDependencies = Object.keys(JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8')).devDependencies).sort();
    expect(devDependencies).toEqual(['@types/node', 'esbuild', 'typescript']);
  });
});
