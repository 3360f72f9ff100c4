import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import { CustomFieldEntity } from '../customfield/custom-field.entity';
import { customFieldFilter } from '../customfield/custom-field.filter';
import type { Loaders } from '../core/loaders';
import { Opportunity } from './opportunity.entity';
import { OpportunityFilter, OpportunitySortField } from './opportunity.types';
import { PipelineStage } from './pipeline.entity';

/** An open opportunity untouched for longer than its stage allows, now (see figures.ts isRotting). */
const ROTTING_NOW =
  "({a}.status = 'OPEN' AND EXISTS (SELECT 1 FROM pipeline_stages rs WHERE rs.id = {a}.stage_id " +
  "AND rs.rotting_days IS NOT NULL AND {a}.last_activity_at < now() - rs.rotting_days * interval '1 day'))";

/** How opportunity lists filter and sort (shared by `opportunities` and `Customer.opportunities`). */
export const opportunityList: ListSpec<Opportunity, OpportunityFilter, OpportunitySortField> = {
  entity: Opportunity,
  what: 'opportunity',
  filters: {
    pipeline: { sql: '{a}.pipeline_id', kind: 'id', idType: 'Pipeline' },
    stage: { sql: '{a}.stage_id', kind: 'id', idType: 'PipelineStage' },
    owner: { sql: '{a}.owner_id', kind: 'id', idType: 'User' },
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    status: { sql: '{a}.status', kind: 'enum' },
    name: { sql: '{a}.name', kind: 'text' },
    source: { sql: '{a}.source', kind: 'text' },
    expectedCloseDate: { sql: '{a}.expected_close_date', kind: 'date' },
    amount: { sql: '{a}.amount', kind: 'decimal' },
    rotting: { sql: ROTTING_NOW, kind: 'bool' },
    closedAt: { sql: '{a}.closed_at', kind: 'timestamp' },
    customField: customFieldFilter(CustomFieldEntity.OPPORTUNITY),
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
    deletedAt: { sql: '{a}.deleted_at', kind: 'timestamp' },
  },
  sorts: {
    [OpportunitySortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [OpportunitySortField.UPDATED_AT]: { sql: '{a}.updated_at', pgType: 'timestamptz' },
    [OpportunitySortField.EXPECTED_CLOSE_DATE]: { sql: '{a}.expected_close_date', pgType: 'date' },
    [OpportunitySortField.AMOUNT]: { sql: '{a}.amount', pgType: 'numeric' },
    [OpportunitySortField.STAGE_ENTERED_AT]: { sql: '{a}.stage_entered_at', pgType: 'timestamptz' },
    [OpportunitySortField.LAST_ACTIVITY_AT]: { sql: '{a}.last_activity_at', pgType: 'timestamptz' },
    [OpportunitySortField.CUSTOM_FIELD]: { sql: 'NULL', pgType: 'text', byCustomField: true },
  },
  defaultSort: { field: OpportunitySortField.CREATED_AT, direction: SortDirection.DESC },
  search: '{a}.name ILIKE :search',
};

/** The stages of many pipelines, in order: one statement for a whole list of pipelines. */
export function stagesByPipeline(loaders: Loaders): DataLoader<string, PipelineStage[]> {
  const { condition } = loaders.scopeOf(PipelineStage);
  return loaders.memo('stagesByPipeline', () =>
    new DataLoader<string, PipelineStage[]>(async (pipelineIds) => {
      const qb = loaders.db
        .getRepository(PipelineStage)
        .createQueryBuilder('a')
        .where('a.pipeline_id = ANY(:ids::uuid[])', { ids: [...pipelineIds] })
        .orderBy('a.position', 'ASC');
      if (condition) qb.andWhere(condition);
      const rows = await qb.getMany();
      return pipelineIds.map((id) => rows.filter((s) => s.pipelineId === id));
    }),
  );
}

export interface StageVisitRow {
  opportunityId: string;
  stageId: string;
  enteredAt: Date;
  leftAt: Date | null;
}

/** The stage history of many opportunities, oldest stint first: one statement for a page of opportunities. */
export function stageHistoryByOpportunity(loaders: Loaders): DataLoader<string, StageVisitRow[]> {
  const condition = loaders.access.readScope('opportunity_stage_history', 'h');
  return loaders.memo('stageHistoryByOpportunity', () =>
    new DataLoader<string, StageVisitRow[]>(async (ids) => {
      const rows: Array<{ opportunity_id: string; stage_id: string; entered_at: Date; left_at: Date | null }> = await loaders.db.query(
        `SELECT h.opportunity_id::text AS opportunity_id, h.stage_id::text AS stage_id, h.entered_at, h.left_at
           FROM opportunity_stage_history h
          WHERE h.opportunity_id = ANY($1::uuid[]) AND ${condition ?? 'TRUE'}
          ORDER BY h.entered_at, h.created_at, h.id`,
        [[...ids]],
      );
      const byOpportunity = new Map<string, StageVisitRow[]>();
      for (const r of rows) {
        const list = byOpportunity.get(r.opportunity_id) ?? [];
        list.push({ opportunityId: r.opportunity_id, stageId: r.stage_id, enteredAt: r.entered_at, leftAt: r.left_at });
        byOpportunity.set(r.opportunity_id, list);
      }
      return ids.map((id) => byOpportunity.get(id) ?? []);
    }),
  );
}
