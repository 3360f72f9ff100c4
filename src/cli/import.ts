import 'reflect-metadata';
import fs from 'node:fs';
import { openDatabase } from '../db/database';
import { importCustomers } from '../importer/customer-import';
import type { ImportFailure } from '../importer/import-result';
import { importOrders } from '../importer/order-import';
import { ConfigError, loadConfig } from '../core/config';
import { log, setLogLevel } from '../core/logger';
import { runCli } from './run';

const USAGE = `Usage: npm run import -- customers FILE.csv
       npm run import -- orders FILE.csv

Imports a CSV file (with a header line) into DATABASE_URL, or the embedded database in DATA_DIR.
All or nothing: if any row is bad, every problem is listed by line and nothing is imported.

  customers  external_ref,name[,kind,email,phone,birthday,country,city,region,tags]
             tags are ;-separated. An existing external_ref updates that customer.
  orders     customer_ref,placed_at,total[,order_ref,currency,cost,status,channel,rate_to_base]
             An unknown customer_ref creates the customer "Customer <ref>".
             placed_at: YYYY-MM-DD, YYYYMMDD or an ISO date-time (UTC unless it has an offset).
             currency defaults to BASE_CURRENCY; another currency needs rate_to_base.
`;

const count = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** Lines of problems printed; the rest are counted. */
const SHOWN_ERRORS = 50;

function printFailure(file: string, failure: ImportFailure): void {
  process.stderr.write(`Nothing was imported: ${count(failure.errorCount, 'problem')} in ${file}.\n`);
  for (const e of failure.errors.slice(0, SHOWN_ERRORS)) process.stderr.write(`  line ${e.line}: ${e.message}\n`);
  if (failure.errorCount > SHOWN_ERRORS) process.stderr.write(`  … and ${(failure.errorCount - SHOWN_ERRORS).toLocaleString('en-US')} more\n`);
}

/** npm run import: a thin shell over src/importer; see USAGE. */
async function main(): Promise<void> {
  const [kind, file, ...rest] = process.argv.slice(2);
  if (kind === '--help' || kind === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const problem =
    !kind ? 'Say what to import: customers or orders.'
    : kind !== 'customers' && kind !== 'orders' ? `Cannot import "${kind}": use customers or orders.`
    : !file ? `Give the CSV file to import.`
    : rest.length ? `Unexpected argument "${rest[0]}".`
    : !fs.existsSync(file) ? `No such file: ${file}`
    : fs.statSync(file).isDirectory() ? `${file} is a folder, not a CSV file.`
    : null;
  if (problem) {
    process.stderr.write(`${problem}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = await openDatabase(config);
  const started = Date.now();
  try {
    const result = kind === 'orders' ? await importOrders(db.dataSource, file, config) : await importCustomers(db.dataSource, file);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!result.ok) {
      printFailure(file, result);
      process.exitCode = 1;
    } else if ('imported' in result) {
      process.stdout.write(`Imported ${count(result.imported, 'order')} from ${file} in ${seconds} s; created ${count(result.createdCustomers, 'new customer')}.\n`);
    } else {
      process.stdout.write(
        `Imported ${file} in ${seconds} s: ${count(result.created, 'customer')} created, ` +
          `${result.updated.toLocaleString('en-US')} updated, ${result.unchanged.toLocaleString('en-US')} unchanged.\n`,
      );
      for (const d of result.possibleDuplicates.slice(0, 20)) {
        process.stdout.write(`  line ${d.line} (${d.externalRef}) may duplicate ${d.matches.map((m) => `${m.externalRef ?? 'a customer without external_ref'} (same ${m.reason.toLowerCase()})`).join(', ')}\n`);
      }
      if (result.possibleDuplicates.length > 20) process.stdout.write(`  … and ${result.possibleDuplicates.length - 20} more possible duplicates: review them with duplicateCandidates.\n`);
    }
  } finally {
    await db.close();
  }
}

runCli('import', main);
