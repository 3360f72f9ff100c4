import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { Task } from './task.entity';
import { TaskFilter, TaskSortField } from './task.types';

/** How task lists filter and sort (shared by `tasks` and `Customer.tasks`). */
export const taskList: ListSpec<Task, TaskFilter, TaskSortField> = {
  entity: Task,
  what: 'task',
  filters: {
    owner: { sql: '{a}.owner_id', kind: 'id', idType: 'User' },
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    contact: { sql: '{a}.contact_id', kind: 'id', idType: 'Contact' },
    kind: { sql: '{a}.kind', kind: 'enum' },
    status: { sql: '{a}.status', kind: 'enum' },
    priority: { sql: '{a}.priority', kind: 'enum' },
    dueAt: { sql: '{a}.due_at', kind: 'timestamp' },
    followUpAt: { sql: '{a}.follow_up_at', kind: 'timestamp' },
    completedAt: { sql: '{a}.completed_at', kind: 'timestamp' },
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
  },
  sorts: {
    [TaskSortField.FOLLOW_UP_AT]: { sql: '{a}.follow_up_at', pgType: 'timestamptz' },
    [TaskSortField.DUE_AT]: { sql: '{a}.due_at', pgType: 'timestamptz' },
    [TaskSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [TaskSortField.COMPLETED_AT]: { sql: '{a}.completed_at', pgType: 'timestamptz' },
  },
  defaultSort: { field: TaskSortField.FOLLOW_UP_AT, direction: SortDirection.ASC },
};

/**
 * Each customer's next follow-up: the earliest `follow_up_at` of their open tasks the caller may see, one GROUP BY
 * for a whole page of customers.
 */
export function nextFollowUps(loaders: Loaders): DataLoader<string, Date | null> {
  const scope = loaders.access.readScope('tasks', 't');
  return loaders.memo('nextFollowUpAt', () =>
    new DataLoader<string, Date | null>(async (customerIds) => {
      const rows: Array<{ customer_id: string; at: Date }> = await loaders.db.query(
        `SELECT t.customer_id::text AS customer_id, min(t.follow_up_at) AS at
           FROM tasks t
          WHERE t.customer_id = ANY($1::uuid[]) AND t.status = 'OPEN'${scope ? ` AND ${scope}` : ''}
          GROUP BY t.customer_id`,
        [customerIds],
      );
      const byCustomer = new Map(rows.map((r) => [r.customer_id, r.at]));
      return customerIds.map((id) => byCustomer.get(id) ?? null);
    }),
  );
}
