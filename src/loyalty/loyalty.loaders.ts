import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { dueToExpireSql } from './ledger';
import { PointsTransaction } from './loyalty.entity';
import { PointsTransactionFilter, PointsTransactionSortField } from './loyalty.types';

/** How a member's ledger lists filter and sort. */
export const pointsTransactionList: ListSpec<PointsTransaction, PointsTransactionFilter, PointsTransactionSortField> = {
  entity: PointsTransaction,
  what: 'points transaction',
  filters: {
    kind: { sql: '{a}.kind', kind: 'enum' },
    at: { sql: '{a}.at', kind: 'timestamp' },
  },
  sorts: {
    [PointsTransactionSortField.AT]: { sql: '{a}.at', pgType: 'timestamptz' },
  },
  defaultSort: { field: PointsTransactionSortField.AT, direction: SortDirection.DESC },
};

const DAY_MS = 86_400_000;

/**
 * Points due to expire within `days` of `asOf` (now when absent), per account, batched: one statement for a page of
 * members however many there are. One loader per (days, asOf), so "now" is one instant for the whole batch.
 */
export function expiringSoonByAccount(loaders: Loaders, days: number, asOf: Date | null): DataLoader<string, number> {
  return loaders.memo(`loyaltyExpiringSoon:${days}:${asOf?.toISOString() ?? 'now'}`, () =>
    new DataLoader<string, number>(async (ids) => {
      const horizon = new Date((asOf ?? new Date()).getTime() + days * DAY_MS);
      const rows: Array<{ id: string; points: string | number }> = await loaders.db.query(
        `SELECT a.id::text AS id, ${dueToExpireSql('a', '$2::timestamptz')} AS points FROM loyalty_accounts a WHERE a.id = ANY($1::uuid[])`,
        [[...ids], horizon],
      );
      const byId = new Map(rows.map((r) => [r.id, Number(r.points)]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),
  );
}
