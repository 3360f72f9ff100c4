import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { LifecycleStage } from './lifecycle-stage.entity';
import { LifecycleTransition } from './lifecycle-transition.entity';
import type { LifecycleTransitionFilter } from './lifecycle.types';

export const transitionList: ListSpec<LifecycleTransition, LifecycleTransitionFilter, 'AT'> = {
  entity: LifecycleTransition,
  what: 'lifecycle transition',
  filters: {
    source: { sql: '{a}.source', kind: 'enum' },
    at: { sql: '{a}.at', kind: 'timestamp' },
    toStage: { sql: '(SELECT s.key FROM lifecycle_stages s WHERE s.id = {a}.to_stage_id)', kind: 'text' },
    fromStage: { sql: '(SELECT s.key FROM lifecycle_stages s WHERE s.id = {a}.from_stage_id)', kind: 'text' },
  },
  sorts: { AT: { sql: '{a}.at', pgType: 'timestamptz' } },
  defaultSort: { field: 'AT', direction: SortDirection.DESC },
};

/** Stages by key; the catalog is tiny, so one query serves the whole request. */
export function stageByKey(loaders: Loaders): DataLoader<string, LifecycleStage | null> {
  return loaders.memo('stageByKey', () =>
    new DataLoader<string, LifecycleStage | null>(async (keys) => {
      const rows = await loaders.db.getRepository(LifecycleStage).findBy({ key: In([...keys]) });
      const byKey = new Map(rows.map((s) => [s.key, s]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
  );
}
