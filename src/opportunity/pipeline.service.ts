import type { EntityManager } from 'typeorm';
import { badInput, pgCode, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import { currencyExponent } from '../common/money';
import { Money } from '../common/money.types';
import { currencyCode, defined, instantArgument, requiredText } from '../common/validate';
import { recordAudit } from '../core/audit';
import type { Config } from '../core/config';
import type { ServiceDeps } from '../core/request-scope';
import { stagesByPipeline } from './opportunity.loaders';
import {
  AddPipelineStageInput,
  CreatePipelineInput,
  MAX_STAGES_PER_PIPELINE,
  PipelinePayload,
  PipelineStageInput,
  PipelineSummary,
  PipelineSummaryArgs,
  ReorderPipelineStagesInput,
  UpdatePipelineInput,
  UpdatePipelineStageInput,
} from './opportunity.types';
import { Pipeline, PipelineStage } from './pipeline.entity';

type Path = Array<string | number>;
const at = (...f: Array<string | number>): Path => ['input', ...f];
const payload = (pipeline: Pipeline | null, errors: UserErrors): PipelinePayload => ({ pipeline: errors.any ? null : pipeline, userErrors: errors.list });

/** The currency a pipeline's opportunities are in: its own, or the deployment's base currency. */
export function pipelineCurrency(pipeline: Pipeline, config: Pick<Config, 'baseCurrency'>): string {
  return pipeline.currency ?? config.baseCurrency;
}

/** A win probability from 0 to 1 with at most 4 decimals, as the exact decimal string numeric(5,4) stores. */
function probability(errors: UserErrors, path: Path, value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, 'Must be from 0 to 1.');
    return undefined;
  }
  const fixed = value.toFixed(4);
  if (Number(fixed) !== value) {
    errors.add(path, UserErrorCode.INVALID, 'At most 4 decimals, e.g. 0.25 or 0.3333.');
    return undefined;
  }
  return fixed;
}

const MAX_ROTTING_DAYS = 3650;

function rottingDays(errors: UserErrors, path: Path, value: number | null | undefined): number | null | undefined {
  if (value == null) return value;
  if (!Number.isInteger(value) || value < 1 || value > MAX_ROTTING_DAYS) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, `Must be a whole number of days from 1 to ${MAX_ROTTING_DAYS}, or null for never.`);
    return undefined;
  }
  return value;
}

interface StageDraft {
  name: string;
  probability: string;
  rottingDays: number | null;
}

function stageDraft(errors: UserErrors, path: Path, input: PipelineStageInput): StageDraft | null {
  const before = errors.list.length;
  const name = requiredText(errors, [...path, 'name'], input.name, 100);
  const p = probability(errors, [...path, 'probability'], input.probability);
  const days = rottingDays(errors, [...path, 'rottingDays'], input.rottingDays ?? null);
  return errors.list.length > before || !name || !p || days === undefined ? null : { name, probability: p, rottingDays: days };
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Pipelines and their stages (configuration: ADMIN and MANAGER change them, everyone who reads opportunities reads
 * them) and the pipeline summary. Every stage change bumps the pipeline's version, so one `expectedVersion` guards the
 * whole ordered list.
 */
export class PipelineService {
  constructor(private readonly deps: ServiceDeps) {}

  async list(): Promise<Pipeline[]> {
    const condition = this.deps.access.readScope('pipelines');
    const qb = this.deps.db.getRepository(Pipeline).createQueryBuilder('a').orderBy('a.is_default', 'DESC').addOrderBy('a.name', 'ASC');
    if (condition) qb.where(condition);
    return qb.getMany();
  }

  stages(pipelineId: string): Promise<PipelineStage[]> {
    return stagesByPipeline(this.deps.loaders).load(pipelineId);
  }

  currency(pipeline: Pipeline): string {
    return pipelineCurrency(pipeline, this.deps.config);
  }

  async create(input: CreatePipelineInput): Promise<PipelinePayload> {
    this.deps.access.require('pipelines:write');
    const errors = new UserErrors();
    const name = requiredText(errors, at('name'), input.name, 100);
    const currency = input.currency == null ? null : currencyCode(errors, at('currency'), input.currency);
    if (!input.stages.length) errors.add(at('stages'), UserErrorCode.REQUIRED, 'A pipeline needs at least one stage.');
    else if (input.stages.length > MAX_STAGES_PER_PIPELINE) errors.add(at('stages'), UserErrorCode.TOO_MANY, `At most ${MAX_STAGES_PER_PIPELINE} stages.`);
    const stages = input.stages.length > MAX_STAGES_PER_PIPELINE ? [] : input.stages.map((s, i) => stageDraft(errors, at('stages', i), s));
    stages.forEach((s, i) => {
      if (s && stages.slice(0, i).some((o) => o && sameName(o.name, s.name))) errors.add(at('stages', i, 'name'), UserErrorCode.TAKEN, 'Another stage of the pipeline has this name.');
    });
    if (errors.any || !name || currency === undefined) return payload(null, errors);
    return this.writing(errors, async (m) => {
      if (await this.nameTaken(m, name, null)) {
        errors.add(at('name'), UserErrorCode.TAKEN, 'Another pipeline has this name.');
        return null;
      }
      if (input.isDefault) await m.query(`UPDATE pipelines SET is_default = false, version = version + 1, updated_at = now() WHERE is_default`);
      const repo = m.getRepository(Pipeline);
      const pipeline = repo.create({ name, currency, isDefault: input.isDefault });
      await repo.insert(pipeline);
      const stageRepo = m.getRepository(PipelineStage);
      await stageRepo.insert(stages.map((s, i) => stageRepo.create({ name: s!.name, probability: s!.probability, rottingDays: s!.rottingDays, pipelineId: pipeline.id, position: i + 1 })));
      const created = await repo.findOneByOrFail({ id: pipeline.id });
      await recordAudit(m, this.deps, { action: 'pipeline.create', objectType: 'Pipeline', objectId: created.id, after: { ...created, stages } });
      return created;
    });
  }

  async update(input: UpdatePipelineInput): Promise<PipelinePayload> {
    this.deps.access.require('pipelines:write');
    const errors = new UserErrors();
    if (input.name === null) errors.add(at('name'), UserErrorCode.REQUIRED, 'Name cannot be cleared.');
    const name = input.name == null ? undefined : requiredText(errors, at('name'), input.name, 100);
    return this.onPipeline(input.id, input.expectedVersion, errors, 'pipeline.update', async (m, current) => {
      if (name && (await this.nameTaken(m, name, current.id))) errors.add(at('name'), UserErrorCode.TAKEN, 'Another pipeline has this name.');
      if (input.isDefault === false && current.isDefault) errors.add(at('isDefault'), UserErrorCode.INVALID, 'There is always a default pipeline: make another one the default instead.');
      if (errors.any) return null;
      if (input.isDefault && !current.isDefault) await m.query(`UPDATE pipelines SET is_default = false, version = version + 1, updated_at = now() WHERE is_default`);
      return defined({ name, isDefault: input.isDefault ? true : undefined });
    });
  }

  async addStage(input: AddPipelineStageInput): Promise<PipelinePayload> {
    this.deps.access.require('pipelines:write');
    const errors = new UserErrors();
    const draft = stageDraft(errors, ['input'], input);
    return this.onPipeline(input.pipelineId, input.expectedVersion, errors, 'pipeline.addStage', async (m, current) => {
      const stages = await m.getRepository(PipelineStage).find({ where: { pipelineId: current.id }, order: { position: 'ASC' } });
      const position = input.position ?? stages.length + 1;
      if (stages.length >= MAX_STAGES_PER_PIPELINE) errors.add(at('pipelineId'), UserErrorCode.TOO_MANY, `A pipeline has at most ${MAX_STAGES_PER_PIPELINE} stages.`);
      if (!Number.isInteger(position) || position < 1 || position > stages.length + 1) errors.add(at('position'), UserErrorCode.OUT_OF_RANGE, `Must be from 1 to ${stages.length + 1}.`);
      if (draft && stages.some((s) => sameName(s.name, draft.name))) errors.add(at('name'), UserErrorCode.TAKEN, 'Another stage of the pipeline has this name.');
      if (errors.any || !draft) return null;
      await m.query(`UPDATE pipeline_stages SET position = position + 1, updated_at = now() WHERE pipeline_id = $1 AND position >= $2`, [current.id, position]);
      const stageRepo = m.getRepository(PipelineStage);
      await stageRepo.insert(stageRepo.create({ name: draft.name, probability: draft.probability, rottingDays: draft.rottingDays, pipelineId: current.id, position }));
      return {};
    });
  }

  async updateStage(input: UpdatePipelineStageInput): Promise<PipelinePayload> {
    this.deps.access.require('pipelines:write');
    const errors = new UserErrors();
    const stageId = decodeIdOf('PipelineStage', input.id);
    if (!stageId) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid PipelineStage ID.');
      return payload(null, errors);
    }
    if (input.name === null) errors.add(at('name'), UserErrorCode.REQUIRED, 'Name cannot be cleared.');
    if (input.probability === null) errors.add(at('probability'), UserErrorCode.REQUIRED, 'Probability cannot be cleared.');
    const name = input.name == null ? undefined : requiredText(errors, at('name'), input.name, 100);
    const p = input.probability == null ? undefined : probability(errors, at('probability'), input.probability);
    const days = rottingDays(errors, at('rottingDays'), input.rottingDays);
    const [row]: Array<{ pipeline_id: string }> = await this.deps.db.query(`SELECT pipeline_id::text FROM pipeline_stages WHERE id = $1`, [stageId]);
    if (!row) {
      errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No pipeline stage with this ID.');
      return payload(null, errors);
    }
    return this.onPipeline(row.pipeline_id, input.expectedVersion, errors, 'pipeline.updateStage', async (m, current) => {
      const stages = await m.getRepository(PipelineStage).findBy({ pipelineId: current.id });
      if (name && stages.some((s) => s.id !== stageId && sameName(s.name, name))) errors.add(at('name'), UserErrorCode.TAKEN, 'Another stage of the pipeline has this name.');
      if (errors.any) return null;
      const changes = defined({ name, probability: p, rottingDays: days });
      if (Object.keys(changes).length) await m.getRepository(PipelineStage).update({ id: stageId }, { ...changes, version: () => 'version + 1' });
      return {};
    }, true);
  }

  async reorderStages(input: ReorderPipelineStagesInput): Promise<PipelinePayload> {
    this.deps.access.require('pipelines:write');
    const errors = new UserErrors();
    const ids = input.stageIds.map((g, i) => {
      const id = decodeIdOf('PipelineStage', g);
      if (!id) errors.add(at('stageIds', i), UserErrorCode.INVALID_ID, 'Not a valid PipelineStage ID.');
      return id;
    });
    return this.onPipeline(input.pipelineId, input.expectedVersion, errors, 'pipeline.reorderStages', async (m, current) => {
      const stages = await m.getRepository(PipelineStage).findBy({ pipelineId: current.id });
      const given = new Set(ids);
      if (ids.length !== stages.length || given.size !== ids.length || stages.some((s) => !given.has(s.id))) {
        errors.add(at('stageIds'), UserErrorCode.INVALID, `List every stage of the pipeline exactly once (${stages.length} stages).`);
        return null;
      }
      // The (pipeline, position) key is deferred: positions may collide until the transaction commits.
      await m.query(
        `UPDATE pipeline_stages s SET position = x.position, version = s.version + 1, updated_at = now()
           FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, position) WHERE s.id = x.id AND s.position <> x.position`,
        [ids],
      );
      return {};
    });
  }

  /** Runs a pipeline write in a transaction, answering a name taken by a concurrent write as TAKEN. */
  private async writing(errors: UserErrors, write: (m: EntityManager) => Promise<Pipeline | null>): Promise<PipelinePayload> {
    try {
      return payload(await this.deps.db.transaction(write), errors);
    } catch (e) {
      if (pgCode(e) === PG_UNIQUE_VIOLATION) {
        errors.add(at('name'), UserErrorCode.TAKEN, 'The name is taken.');
        return payload(null, errors);
      }
      throw e;
    }
  }

  /**
   * The shape of every change to an existing pipeline: lock it, check its version, let `decide` write the stages and
   * return the pipeline's own columns (null after userErrors), bump the version, audit the pipeline with its stages
   * before and after.
   */
  private async onPipeline(
    globalOrUuid: string,
    expectedVersion: number | null | undefined,
    errors: UserErrors,
    action: string,
    decide: (m: EntityManager, current: Pipeline) => Promise<Partial<Pipeline> | null>,
    isUuid = false,
  ): Promise<PipelinePayload> {
    const id = isUuid ? globalOrUuid : decodeIdOf('Pipeline', globalOrUuid);
    const field = action === 'pipeline.update' ? 'id' : action === 'pipeline.updateStage' ? 'id' : 'pipelineId';
    if (!id) {
      errors.add(at(field), UserErrorCode.INVALID_ID, 'Not a valid Pipeline ID.');
      return payload(null, errors);
    }
    return this.writing(errors, async (m) => {
      const repo = m.getRepository(Pipeline);
      const current = await repo.createQueryBuilder('a').where('a.id = :id', { id }).setLock('pessimistic_write', undefined, ['a']).getOne();
      if (!current) {
        errors.add(at(field), UserErrorCode.NOT_FOUND, 'No pipeline with this ID.');
        return null;
      }
      if (expectedVersion != null && expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The pipeline changed since you read it (version ${current.version}, you sent ${expectedVersion}).`);
        return null;
      }
      if (errors.any) return null;
      const stagesBefore = await this.stageRows(m, id);
      const changes = await decide(m, current);
      if (!changes || errors.any) return null;
      await repo.update({ id }, { ...changes, version: current.version + 1 });
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, {
        action,
        objectType: 'Pipeline',
        objectId: id,
        before: { ...current, stages: stagesBefore },
        after: { ...updated, stages: await this.stageRows(m, id) },
      });
      return updated;
    });
  }

  private async stageRows(m: EntityManager, pipelineId: string): Promise<unknown[]> {
    return m.query(`SELECT id, name, position, probability, rotting_days AS "rottingDays" FROM pipeline_stages WHERE pipeline_id = $1 ORDER BY position`, [pipelineId]);
  }

  private async nameTaken(m: EntityManager, name: string, except: string | null): Promise<boolean> {
    const [row] = await m.query(`SELECT 1 FROM pipelines WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2::uuid`, [name, except]);
    return !!row;
  }

  /**
   * The pipeline at a glance (see PipelineSummary). Stage contents are now; flows, wins and losses are over
   * [from, to); the forecast takes open opportunities expected to close in [from, to). All sums are numeric in SQL:
   * exact, each weighted amount rounded once to the minor unit, as the field `weightedAmount` is.
   */
  async summary(args: PipelineSummaryArgs): Promise<PipelineSummary | null> {
    const scope = this.deps.access.readScope('opportunities', 'o');
    const from = instantArgument(args.from, 'from');
    const to = instantArgument(args.to, 'to');
    if (to <= from) throw badInput('`to` must be after `from`.', { field: 'to' });
    const pipelineId = decodeIdOf('Pipeline', args.pipelineId);
    if (!pipelineId) throw badInput('`pipelineId` is not a valid Pipeline ID.', { field: 'pipelineId' });
    const ownerId = args.ownerId == null ? null : decodeIdOf('User', args.ownerId);
    if (args.ownerId != null && !ownerId) throw badInput('`ownerId` is not a valid User ID.', { field: 'ownerId' });
    const pipeline = await this.deps.loaders.byId(Pipeline).load(pipelineId);
    if (!pipeline) return null;
    const currency = this.currency(pipeline);
    const exponent = currencyExponent(currency);
    const stages = await this.stages(pipelineId);
    const where = `o.pipeline_id = $1 AND o.deleted_at IS NULL AND ($2::uuid IS NULL OR o.owner_id = $2::uuid) AND ${scope ?? 'TRUE'}`;
    const db = this.deps.db;

    const contents: Array<{ stage_id: string; n: number; amount: string; weighted: string }> = await db.query(
      `SELECT o.stage_id::text AS stage_id, count(*)::int AS n, sum(o.amount)::text AS amount, sum(round(o.amount * s.probability, $3))::text AS weighted
         FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
        WHERE ${where} AND o.status = 'OPEN' GROUP BY o.stage_id`,
      [pipelineId, ownerId, exponent],
    );
    // A stint advanced when its opportunity later entered a stage further on, or was won.
    const flows: Array<{ stage_id: string; entered: number; advanced: number; average_days: number | null }> = await db.query(
      `SELECT h.stage_id::text AS stage_id,
              (count(*) FILTER (WHERE h.entered_at >= $3 AND h.entered_at < $4))::int AS entered,
              (count(*) FILTER (WHERE h.entered_at >= $3 AND h.entered_at < $4 AND (o.status = 'WON' OR EXISTS (
                 SELECT 1 FROM opportunity_stage_history later JOIN pipeline_stages ls ON ls.id = later.stage_id
                  WHERE later.opportunity_id = h.opportunity_id AND later.entered_at >= h.entered_at AND ls.position > s.position))))::int AS advanced,
              round(avg(extract(epoch FROM h.left_at - h.entered_at) / 86400) FILTER (WHERE h.left_at >= $3 AND h.left_at < $4), 2)::float8 AS average_days
         FROM opportunity_stage_history h
         JOIN opportunities o ON o.id = h.opportunity_id
         JOIN pipeline_stages s ON s.id = h.stage_id
        WHERE ${where} GROUP BY h.stage_id`,
      [pipelineId, ownerId, from, to],
    );
    const closed: Array<{ won: number; lost: number; won_amount: string; cycle: number | null }> = await db.query(
      `SELECT (count(*) FILTER (WHERE o.status = 'WON'))::int AS won, (count(*) FILTER (WHERE o.status = 'LOST'))::int AS lost,
              coalesce(sum(o.amount) FILTER (WHERE o.status = 'WON'), 0)::text AS won_amount,
              round(avg(extract(epoch FROM o.closed_at - o.opened_at) / 86400) FILTER (WHERE o.status = 'WON'), 2)::float8 AS cycle
         FROM opportunities o WHERE ${where} AND o.closed_at >= $3 AND o.closed_at < $4`,
      [pipelineId, ownerId, from, to],
    );
    // Expected close dates are calendar days: a day belongs to the period when its midnight (UTC) does.
    const forecast: Array<{ month: string; n: number; amount: string; weighted: string }> = await db.query(
      `SELECT to_char(o.expected_close_date, 'YYYY-MM') AS month, count(*)::int AS n, sum(o.amount)::text AS amount,
              sum(round(o.amount * s.probability, $5))::text AS weighted
         FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
        WHERE ${where} AND o.status = 'OPEN'
          AND (o.expected_close_date::timestamp AT TIME ZONE 'UTC') >= $3 AND (o.expected_close_date::timestamp AT TIME ZONE 'UTC') < $4
        GROUP BY 1 ORDER BY 1`,
      [pipelineId, ownerId, from, to, exponent],
    );

    const money = (amount: string | null | undefined) => Money.of(amount ?? '0', currency);
    const [c] = closed;
    return Object.assign(new PipelineSummary(), {
      pipeline,
      from,
      to,
      stages: stages.map((stage) => {
        const now = contents.find((r) => r.stage_id === stage.id);
        const flow = flows.find((r) => r.stage_id === stage.id);
        const entered = flow?.entered ?? 0;
        const advanced = flow?.advanced ?? 0;
        return {
          stage,
          count: now?.n ?? 0,
          amount: money(now?.amount),
          weightedAmount: money(now?.weighted),
          entered,
          advanced,
          conversionRate: entered ? Math.round((advanced / entered) * 10_000) / 10_000 : null,
          averageDaysInStage: flow?.average_days ?? null,
        };
      }),
      won: c.won,
      lost: c.lost,
      winRate: c.won + c.lost ? Math.round((c.won / (c.won + c.lost)) * 10_000) / 10_000 : null,
      wonAmount: money(c.won_amount),
      averageSalesCycleDays: c.cycle,
      forecast: forecast.map((f) => ({ month: f.month, count: f.n, amount: money(f.amount), weightedAmount: money(f.weighted) })),
    });
  }
}
