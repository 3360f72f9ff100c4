import 'reflect-metadata';
import { apiKeyCommand, CommandError } from '../apikey/api-key.commands';
import { loadConfig } from '../core/config';
import { setLogLevel } from '../core/logger';
import { openDatabase } from '../db/database';
import { runCli } from './run';

/** npm run apikey: create, list and revoke API keys (see APIKEY_USAGE). */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, { migrate: true });
  try {
    process.stdout.write(await apiKeyCommand(db.dataSource, process.argv.slice(2)));
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  } finally {
    await db.close();
  }
}

runCli('apikey', main);
