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
    complaintStatus: { sql: '{a}.complaint_status', kind: 'enum' },
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

/** Per-customer aggregates of live touchpoints: one GROUP BY for a whole page of customers. */
export function touchpointSummary(loaders: Loaders): DataLoader<string, TouchpointSummary> {
  return loaders.memo('touchpointSummary', () =>
    new DataLoader<string, TouchpointSummary>(async (customerIds) => {
      const rows: Array<{ customer_id: string; open_complaints: number; last_at: Date }> = await loaders.db.query(
        `SELECT customer_id::text AS customer_id,
                (count(*) FILTER (WHERE complaint_status = 'OPEN'))::int AS open_complaints,
                max(occurred_at) AS last_at
           FROM touchpoints
          WHERE customer_id = ANY($1::uuid[]) AND deleted_at IS NULL
          GROUP BY customer_id`,
        [customerIds],
      );
      const byCustomer = new Map(rows.map((r) => [r.customer_id, { openComplaints: r.open_complaints, lastTouchpointAt: r.last_at }]));
      return customerIds.map((id) => byCustomer.get(id) ?? { openComplaints: 0, lastTouchpointAt: null });
    }),
  );
}
