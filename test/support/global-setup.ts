import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource, runMigrations } from '../../src/db/data-source';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres';

export const TEMPLATE_DB = 'rapport_template';

/**
 * One embedded Postgres cluster per test run, with a migrated template database; each test
 * file clones it (CREATE DATABASE … TEMPLATE is a file copy, much faster than migrating).
 * With TEST_DATABASE_URL set (an admin URL to a real server), that server is used instead.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-test-'));
    const cluster = await startEmbeddedPostgres({ dataDir, port: 0, fast: true, persistent: false });
    adminUrl = cluster.url('postgres');
    (globalThis as { __rapportCluster?: unknown }).__rapportCluster = { cluster, dataDir };
  }
  const admin = new URL(adminUrl);
  const client = new (await import('pg')).Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await client.end();
  await ensureDatabase(adminUrl, TEMPLATE_DB);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const ds = createDataSource(templateUrl.toString(), 2);
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();
  process.env.RAPPORT_TEST_ADMIN_URL = admin.toString();
}
