import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The dashboard's browser code: one script and one stylesheet, each named by its content hash. */
export interface DashboardAsset {
  name: string;
  body: Buffer;
  /** The body gzipped once, for browsers that accept it (all do): the script shrinks to about a fifth. */
  gzipped: Buffer;
}

export interface DashboardBundle {
  script: DashboardAsset;
  style: DashboardAsset;
}

/** The repository: the nearest folder with a package.json, from src/server/dashboard or dist/src/server/dashboard alike. */
function repositoryRoot(dir: string): string {
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

// The TypeScript source, also when this module runs compiled: tsc does not compile the browser code (it has its own tsconfig).
const ENTRY = path.join(repositoryRoot(__dirname), 'src', 'server', 'dashboard', 'client', 'app.ts');
/**
 * `npm run build` writes the bundle here, beside the compiled server (dist/src/server/dashboard/client-bundle), so
 * `npm start` serves it without esbuild, a development dependency. Run from source (ts-jest, ts-node) there is none
 * and the first request builds it in memory.
 */
export const PREBUILT_DIR = path.join(__dirname, 'client-bundle');

function named(base: string, ext: string, body: Buffer): DashboardAsset {
  return { name: `${base}.${createHash('sha256').update(body).digest('hex').slice(0, 16)}.${ext}`, body, gzipped: gzipSync(body) };
}

/** Compiles client/app.ts (and the CSS it imports) for browsers: tree-shaken ECharts, the SDK, our code; minified. */
export async function buildDashboard(): Promise<DashboardBundle> {
  // Loaded here so a production install, which serves the prebuilt bundle, never needs esbuild.
  const esbuild: typeof import('esbuild') = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    outdir: 'out',
    entryNames: 'app',
    write: false,
    legalComments: 'eof',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const file = (ext: string) => {
    const out = result.outputFiles.find((f) => f.path.endsWith(`.${ext}`));
    if (!out) throw new Error(`the dashboard build wrote no .${ext} file`);
    return Buffer.from(out.contents);
  };
  return { script: named('app', 'js', file('js')), style: named('app', 'css', file('css')) };
}

function readPrebuilt(): DashboardBundle | null {
  try {
    return {
      script: named('app', 'js', fs.readFileSync(path.join(PREBUILT_DIR, 'app.js'))),
      style: named('app', 'css', fs.readFileSync(path.join(PREBUILT_DIR, 'app.css'))),
    };
  } catch {
    return null;
  }
}

let bundle: Promise<DashboardBundle> | undefined;

/** The prebuilt bundle, or one built on first use and kept for the life of the process. */
export function dashboardBundle(): Promise<DashboardBundle> {
  if (!bundle) {
    const prebuilt = readPrebuilt();
    bundle = prebuilt ? Promise.resolve(prebuilt) : buildDashboard();
    // A failed build is retried on the next request rather than cached.
    bundle.catch(() => (bundle = undefined));
  }
  return bundle;
}

/** For `npm run build`: writes the bundle where dashboardBundle() looks for it. */
export async function writePrebuiltDashboard(): Promise<void> {
  const built = await buildDashboard();
  fs.mkdirSync(PREBUILT_DIR, { recursive: true });
  fs.writeFileSync(path.join(PREBUILT_DIR, 'app.js'), built.script.body);
  fs.writeFileSync(path.join(PREBUILT_DIR, 'app.css'), built.style.body);
}
