import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { Touchpoint } from './touchpoint.entity';
import { TouchpointFilter, TouchpointSortField } from './touchpoint.types';

/** How touchpoint lists filter and sort (shared by `touchpoints` and `Customer.touchpoints`). */
export const touchpointList: ListSpec<Touchpoint, TouchpointFilter, TouchpointSortField> = {
  entity: Touchpoint,
  what: 'touchpoint',
  filters: {
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    contact: { sql: '{a}.contact_id', kind: 'id', idType: 'Contact' },
    user: { sql: '{a}.user_id', kind: 'id', idType: 'User' },
    order: { sql: '{a}.order_id', kind: 'id', idType: 'Order' },
    channel: { sql: '{a}.channel', kind: 'enum' },
    direction: { sql: '{a}.direction', kind: 'enum' },
    purpose: { sql: '{a}.purpose', kind: 'enum' },
    complaintStatus: { sql: '(SELECT k.status FROM complaints k WHERE k.touchpoint_id = {a}.id)', kind: 'enum' },
    occurredAt: { sql: '{a}.occurred_at', kind: 'timestamp' },
    satisfaction: { sql: '{a}.satisfaction', kind: 'number' },
    nps: { sql: '{a}.nps', kind: 'number' },
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
    deletedAt: { sql: '{a}.deleted_at', kind: 'timestamp' },
  },
  sorts: {
    [TouchpointSortField.OCCURRED_AT]: { sql: '{a}.occurred_at', pgType: 'timestamptz' },
    [TouchpointSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
  },
  defaultSort: { field: TouchpointSortField.OCCURRED_AT, direction: SortDirection.DESC },
};

export interface TouchpointSummary {
  openComplaints: number;
  lastTouchpointAt: Date | null;
}

/** A complaint whose COMPLAINT touchpoint was deleted (logged by mistake) is withdrawn: not counted as open. */
const WITHDRAWN = `EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)`;

/** Per-customer aggregates of live touchpoints and unresolved complaints: one statement for a whole page of customers. */
export function touchpointSummary(loaders: Loaders): DataLoader<string, TouchpointSummary> {
  return loaders.memo('touchpointSummary', () =>
    new DataLoader<string, TouchpointSummary>(async (customerIds) => {
      const rows: Array<{ customer_id: string; open_complaints: number; last_at: Date }> = await loaders.db.query(
        `SELECT c.id::text AS customer_id,
                (SELECT count(*) FROM complaints k WHERE k.customer_id = c.id AND k.resolved_at IS NULL AND NOT ${WITHDRAWN})::int AS open_complaints,
                (SELECT max(t.occurred_at) FROM touchpoints t WHERE t.customer_id = c.id AND t.deleted_at IS NULL) AS last_at
           FROM unnest($1::uuid[]) AS c(id)`,
        [customerIds],
      );
      const byCustomer = new Map(rows.map((r) => [r.customer_id, { openComplaints: r.open_complaints, lastTouchpointAt: r.last_at }]));
      return customerIds.map((id) => byCustomer.get(id) ?? { openComplaints: 0, lastTouchpointAt: null });
    }),
  );
}
