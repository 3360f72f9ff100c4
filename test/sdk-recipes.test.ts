import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const SDK = path.resolve(__dirname, '..', 'sdk');
const RECIPES = path.join(SDK, 'recipes');
const PRESET = path.join(RECIPES, 'client-preset');

const BIN = path.resolve(__dirname, '..', 'node_modules', '.bin');

function run(command: string, args: string[], cwd: string): string {
  try {
    execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(e);
  }
}

describe("the SDK README's recipes", () => {
  it("compile under strict TypeScript: Apollo Client, urql, TanStack Query, and the client preset's own operations generated from the shipped schema.graphql", () => {
    // The client preset recipe runs as a team runs it: its codegen.ts reads node_modules/@rapport/sdk/schema.graphql.
    rmSync(path.join(PRESET, 'node_modules'), { recursive: true, force: true });
    rmSync(path.join(PRESET, 'src', 'gql'), { recursive: true, force: true });
    mkdirSync(path.join(PRESET, 'node_modules', '@rapport'), { recursive: true });
    symlinkSync(SDK, path.join(PRESET, 'node_modules', '@rapport', 'sdk'), 'dir');
    expect(run(path.join(BIN, 'graphql-codegen'), ['--config', 'codegen.ts', '--silent'], PRESET)).toBe('');

    expect(run(path.join(BIN, 'tsc'), ['-p', path.join(RECIPES, 'tsconfig.json')], RECIPES)).toBe('');
  });
});
