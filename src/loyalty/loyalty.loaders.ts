import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
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
