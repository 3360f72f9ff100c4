import 'reflect-metadata';
import { openDatabase } from '../db/database';
import { loadConfig } from '../core/config';
import { log } from '../core/logger';
import { runCli } from './run';

/** npm run migrate: applies pending migrations to DATABASE_URL or the embedded database. */
async function main(): Promise<void> {
  const db = await openDatabase(loadConfig(), { migrate: true });
  log.info('migrations are up to date');
  await db.close();
}

runCli('migration', main);
