import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import { hydrateRows, type ListSpec } from '../common/list-query';
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

/** A customer's current stage and since when. */
export interface StageFacts {
  stageKey: string | null;
  /** When the customer last moved into the current stage. */
  since: Date | null;
}

interface LifecycleRead {
  catalog: StageCatalog;
  /** For a customer's key; null for CATALOG. */
  facts: StageFacts | null;
}

/** When a customer (alias `c`) last moved into their current stage. */
export const SINCE_SQL = `(SELECT max(t.at) FROM lifecycle_transitions t WHERE t.customer_id = c.id AND t.to_stage_id = c.lifecycle_stage_id)`;

/** Every customer's stage id and key and since when, for the bulk rules (add a WHERE on `c`). */
export const STAGE_FACTS_SQL = `
  SELECT c.id, c.lifecycle_stage_id AS "stageId", s.key AS "stageKey", ${SINCE_SQL} AS since
    FROM customers c LEFT JOIN lifecycle_stages s ON s.id = c.lifecycle_stage_id`;

/** The key that asks for the catalog alone. */
const CATALOG = '';

/**
 * The stage catalog, read whole once per request (a handful of rows: one customer 360 looks stages up by id — the
 * current stage, each transition's from and to — and by key — the suggested stage), in the same statement as the
 * stage facts of the customers the same tick asks about: each stage row carries its customers of the batch with the
 * time they moved into it. Keys are customer ids, or CATALOG.
 */
function lifecycleReads(loaders: Loaders): DataLoader<string, LifecycleRead> {
  return loaders.memo('lifecycleReads', () => {
    const loader: DataLoader<string, LifecycleRead> = new DataLoader<string, LifecycleRead>(async (keys) => {
      const read = (async () => {
        const rows: Array<Record<string, unknown> & { customers: Array<{ id: string; since: string | null }> | null }> = await loaders.db.query(
          `SELECT s.*, (SELECT json_agg(json_build_object('id', c.id, 'since', ${SINCE_SQL}))
                          FROM customers c WHERE c.id = ANY($1::uuid[]) AND c.lifecycle_stage_id = s.id) AS customers
             FROM lifecycle_stages s`,
          [keys.filter((k) => k !== CATALOG)],
        );
        const stages = hydrateRows(loaders.db, LifecycleStage, rows);
        const catalog = { byId: new Map(stages.map((s) => [s.id, s])), byKey: new Map(stages.map((s) => [s.key, s])) };
        const facts = new Map<string, StageFacts>();
        rows.forEach((r, i) => {
          for (const c of r.customers ?? []) facts.set(c.id, { stageKey: stages[i].key, since: c.since == null ? null : new Date(c.since) });
        });
        return { catalog, facts };
      })();
      // Whatever asks for the catalog while this statement runs waits for it rather than reading it again.
      if (!keys.includes(CATALOG)) {
        const primed = read.then(({ catalog }) => ({ catalog, facts: null }));
        primed.catch(() => {}); // a failed read is reported through this batch's keys; nobody may wait on the catalog
        loader.prime(CATALOG, primed);
      }
      const { catalog, facts } = await read;
      // A customer without a stage (or not found) has neither key nor since, as the join on their stage gives.
      return keys.map((k) => ({ catalog, facts: k === CATALOG ? null : facts.get(k) ?? { stageKey: null, since: null } }));
    });
    return loader;
  });
}

function stageCatalog(loaders: Loaders): Promise<StageCatalog> {
  return lifecycleReads(loaders)
    .load(CATALOG)
    .then((r) => r.catalog);
}

/** A lookup in the request's stage catalog. Not a DataLoader of its own: the catalog is asked for in the caller's tick. */
export interface StageLookup {
  load(key: string): Promise<LifecycleStage | null>;
}

/** Stages by id, from the request's catalog. */
export function stageById(loaders: Loaders): StageLookup {
  return { load: async (id) => (await stageCatalog(loaders)).byId.get(id) ?? null };
}

/** Stages by key, from the request's catalog. */
export function stageByKey(loaders: Loaders): StageLookup {
  return { load: async (key) => (await stageCatalog(loaders)).byKey.get(key) ?? null };
}

/** Each customer's current stage key and since when, batched with the catalog the request reads. */
export async function stageFacts(loaders: Loaders, customerId: string): Promise<StageFacts> {
  return (await lifecycleReads(loaders).load(customerId)).facts!;
}
