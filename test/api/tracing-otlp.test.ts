import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..', '..');

/**
 * The OTLP exporter loads `http` with a dynamic import(), which jest's module sandbox cannot run; so the export runs
 * in a child Node process, on src/core/tracing.ts compiled by esbuild (packages from node_modules), as in production.
 */
function exportScript(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-otlp-'));
  const file = path.join(dir, 'export.js');
  buildSync({
    stdin: {
      contents: `
        import { startTracing, stopTracing, tracer } from './src/core/tracing';
        (async () => {
          if (!startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: process.argv[2] })) process.exit(3);
          tracer().startSpan('probe').end();
          await stopTracing();
        })();`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    outfile: file,
    logLevel: 'silent',
  });
  return file;
}

describe('tracing export', () => {
  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, sends the spans to {endpoint}/v1/traces over OTLP/HTTP', async () => {
    const received: Array<{ url?: string; type?: string; bytes: number }> = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, type: req.headers['content-type'], bytes: Buffer.concat(chunks).length });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    }).listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const script = exportScript();
    try {
      const { port } = collector.address() as AddressInfo;
      const child = spawn(process.execPath, [script, `http://127.0.0.1:${port}/`], {
        cwd: root,
        env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'), LOG_LEVEL: 'silent' },
        stdio: 'inherit',
      });
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
      // The child waited for its export to be answered before exiting (stopTracing flushes).
      expect(received).toEqual([expect.objectContaining({ url: '/v1/traces' })]);
      expect(received[0].bytes).toBeGreaterThan(0);
    } finally {
      collector.close();
      fs.rmSync(path.dirname(script), { recursive: true, force: true });
    }
  });
});
