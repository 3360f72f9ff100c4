import DataLoader from 'dataloader';
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

interface StageCatalog {
  byId: Map<string, LifecycleStage>;
  byKey: Map<string, LifecycleStage>;
}

/**
 * The stage catalog, read whole once per request: it is a handful of rows, and one customer 360 looks stages up by id
 * (the current stage, each transition's from and to) and by key (the suggested stage).
 */
function stageCatalog(loaders: Loaders): DataLoader<string, StageCatalog> {
  return loaders.memo('stageCatalog', () =>
    new DataLoader<string, StageCatalog>(async (keys) => {
      const rows = await loaders.db.getRepository(LifecycleStage).find();
      const catalog = { byId: new Map(rows.map((s) => [s.id, s])), byKey: new Map(rows.map((s) => [s.key, s])) };
      return keys.map(() => catalog);
    }),
  );
}

/** Stages by id, from the request's catalog. */
export function stageById(loaders: Loaders): DataLoader<string, LifecycleStage | null> {
  return loaders.memo('stageById', () =>
    new DataLoader<string, LifecycleStage | null>(async (ids) => {
      const { byId } = await stageCatalog(loaders).load('all');
      return ids.map((id) => byId.get(id) ?? null);
    }),
  );
}

/** Stages by key, from the request's catalog. */
export function stageByKey(loaders: Loaders): DataLoader<string, LifecycleStage | null> {
  return loaders.memo('stageByKey', () =>
    new DataLoader<string, LifecycleStage | null>(async (keys) => {
      const { byKey } = await stageCatalog(loaders).load('all');
      return keys.map((k) => byKey.get(k) ?? null);
    }),
  );
}
