import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders, PageJoinSpec } from '../core/loaders';
import type { Touchpoint } from '../touchpoint/touchpoint.entity';
import { Complaint, ComplaintEscalation, ComplaintTransition } from './complaint.entity';
import { ComplaintEscalationFilter, ComplaintEscalationSortField, ComplaintFilter, ComplaintSortField } from './complaint.types';

/** Unresolved and past a due time, now: the `overdue` filter. Complaint.isOverdueAt is the same rule in code. */
export const OVERDUE_SQL = `({a}.resolved_at IS NULL AND (({a}.first_response_at IS NULL AND {a}.first_response_due_at < now()) OR {a}.resolution_due_at < now()))`;

/** How complaint lists filter and sort (shared by `complaints` and `Customer.complaints`). */
export const complaintList: ListSpec<Complaint, ComplaintFilter, ComplaintSortField> = {
  entity: Complaint,
  what: 'complaint',
  filters: {
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    assignee: { sql: '{a}.assignee_id', kind: 'id', idType: 'User' },
    escalatedTo: { sql: '{a}.escalated_to_id', kind: 'id', idType: 'User' },
    status: { sql: '{a}.status', kind: 'enum' },
    severity: { sql: '{a}.severity', kind: 'enum' },
    category: { sql: '{a}.category', kind: 'enum' },
    channel: { sql: '{a}.channel', kind: 'enum' },
    overdue: { sql: OVERDUE_SQL, kind: 'bool' },
    escalationLevel: { sql: '{a}.escalation_level', kind: 'number' },
    openedAt: { sql: '{a}.opened_at', kind: 'timestamp' },
    resolvedAt: { sql: '{a}.resolved_at', kind: 'timestamp' },
    resolutionDueAt: { sql: '{a}.resolution_due_at', kind: 'timestamp' },
  },
  sorts: {
    [ComplaintSortField.OPENED_AT]: { sql: '{a}.opened_at', pgType: 'timestamptz' },
    [ComplaintSortField.FIRST_RESPONSE_DUE_AT]: { sql: '{a}.first_response_due_at', pgType: 'timestamptz' },
    [ComplaintSortField.RESOLUTION_DUE_AT]: { sql: '{a}.resolution_due_at', pgType: 'timestamptz' },
    [ComplaintSortField.UPDATED_AT]: { sql: '{a}.updated_at', pgType: 'timestamptz' },
  },
  defaultSort: { field: ComplaintSortField.OPENED_AT, direction: SortDirection.DESC },
};

export const complaintEscalationList: ListSpec<ComplaintEscalation, ComplaintEscalationFilter, ComplaintEscalationSortField> = {
  entity: ComplaintEscalation,
  what: 'complaint escalation',
  filters: {
    complaint: { sql: '{a}.complaint_id', kind: 'id', idType: 'Complaint' },
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    toUser: { sql: '{a}.to_user_id', kind: 'id', idType: 'User' },
    reason: { sql: '{a}.reason', kind: 'enum' },
    at: { sql: '{a}.at', kind: 'timestamp' },
  },
  sorts: { [ComplaintEscalationSortField.AT]: { sql: '{a}.at', pgType: 'timestamptz' } },
  defaultSort: { field: ComplaintEscalationSortField.AT, direction: SortDirection.DESC },
};

/** Rows of a child table per complaint, oldest first, for a page of complaints in one statement (within the caller's scope). */
function childrenOf<E extends { complaintId: string }>(loaders: Loaders, entity: { new (): E; name: string }, order: string): DataLoader<string, E[]> {
  return loaders.memo(`complaint:${entity.name}`, () => {
    const { condition } = loaders.scopeOf(entity);
    return new DataLoader<string, E[]>(async (ids) => {
      const qb = loaders.db.getRepository(entity).createQueryBuilder('a').where('a.complaint_id = ANY(:ids::uuid[])', { ids: [...ids] }).orderBy(order, 'ASC').addOrderBy('a.created_at', 'ASC');
      if (condition) qb.andWhere(condition);
      const rows = await qb.getMany();
      const byComplaint = new Map<string, E[]>();
      for (const r of rows) byComplaint.set(r.complaintId, [...(byComplaint.get(r.complaintId) ?? []), r]);
      return ids.map((id) => byComplaint.get(id) ?? []);
    });
  });
}

export const transitionsOf = (loaders: Loaders) => childrenOf(loaders, ComplaintTransition, 'a.at');
export const escalationsOf = (loaders: Loaders) => childrenOf(loaders, ComplaintEscalation, 'a.at');

/** The complaint a touchpoint opened, for a page of touchpoints in one statement. */
export function complaintOfTouchpoint(loaders: Loaders): DataLoader<string, Complaint | null> {
  return loaders.memo('complaint:byTouchpoint', () => {
    const { condition } = loaders.scopeOf(Complaint);
    return new DataLoader<string, Complaint | null>(async (ids) => {
      const qb = loaders.db.getRepository(Complaint).createQueryBuilder('a').where('a.touchpoint_id = ANY(:ids::uuid[])', { ids: [...ids] });
      if (condition) qb.andWhere(condition);
      const rows = await qb.getMany();
      const byTouchpoint = new Map(rows.map((r) => [r.touchpointId!, r]));
      return ids.map((id) => byTouchpoint.get(id) ?? null);
    });
  });
}

/** The complaint a touchpoint opened, read with a page of touchpoints (within the same scope complaintOfTouchpoint applies). */
export const complaintOfTouchpointJoin: PageJoinSpec<Touchpoint, Complaint> = {
  name: 'complaintOfTouchpoint',
  entity: Complaint,
  on: '{c}.touchpoint_id = {a}.id',
  prime: (loaders, t, complaint) => complaintOfTouchpoint(loaders).prime(t.id, complaint),
};
