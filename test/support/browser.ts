import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import { createApp } from '../../src/server/app';
import type { TestApp } from './test-app';

/** CHROMIUM_PATH when set; otherwise Debian's chromium, at /usr/bin/chromium or elsewhere on PATH. */
export function chromiumPath(): string | null {
  if (process.env.CHROMIUM_PATH) return fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  const candidates = ['/usr/bin/chromium', ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'chromium'))];
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}

/**
 * `describe` when chromium is installed; otherwise `describe.skip`, with one plain line saying why, so
 * a machine without it runs the rest of the suite and nobody mistakes the skip for a pass.
 */
export function describeWithChromium(): jest.Describe {
  if (chromiumPath()) return describe;
  const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist` : "Debian's chromium is not installed (apt-get install -y chromium)";
  process.stderr.write(`browser tests skipped: ${where}\n`);
  return describe.skip;
}

/**
 * Headless chromium fit for a root user in a container with no network: no sandbox (root), no GPU, and none
 * of the background calls home (updates, sync, field trials) that would wait on a network that is not there.
 * Playwright gives each launch a fresh profile.
 */
export function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium is not installed');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The test app served as `npm start` serves it in development: the ADMIN key goes into pages (playground, dashboard)
 * for a browser on this machine. On a port of its own; `stop` closes it and its app.
 */
export async function serveWithPageKey(app: TestApp): Promise<{ origin: string; stop(): Promise<void> }> {
  const withKey = await createApp(app.db, app.config, { playgroundKey: app.adminKey });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = withKey.app.listen(0, '127.0.0.1', () => resolve(s)).once('error', reject);
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await withKey.stop();
    },
  };
}
