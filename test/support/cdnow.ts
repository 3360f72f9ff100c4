import { readFileSync } from 'fs';
import { join } from 'path';
import { summarizeTransactions, type CustomerTransaction, type FrequencyRecency } from '../../src/intelligence/purchase-summary';
import { CDNOW_DIR } from './shared-data';

/** The 2,357 customers of lifetimes' CDNOW sample summary (weeks; 39-week calibration ending 1997-09-30), with their sample ids. */
export function cdnowSampleSummary(): (FrequencyRecency & { id: number })[] {
  return readFileSync(join(CDNOW_DIR, 'cdnow_customers_summary.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [id, x, tx, T] = line.split(',').map(Number);
      return { id, x, tx, T };
    });
}

/**
 * The full CDNOW cohort (23,570 customers, CDNOW_master.txt) summarised in weeks as of 1997-09-30, the sample's
 * calibration end, by the same summariser the application uses.
 */
export function cdnowMasterSummary(): FrequencyRecency[] {
  return [...summarizeTransactions(cdnowMasterTransactions(), new Date(Date.UTC(1997, 8, 30)), 'WEEK').values()].map(({ x, tx, T }) => ({ x, tx, T }));
}

/** Every transaction of CDNOW_master.txt (69,659; customer ids as in the file, dates at midnight UTC, dollars). */
export function cdnowMasterTransactions(): CustomerTransaction[] {
  return readFileSync(join(CDNOW_DIR, 'CDNOW_master.txt'), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [customerId, date, , dollars] = line.trim().split(/\s+/);
      const at = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))));
      return { customerId, at, value: Number(dollars) };
    });
}
