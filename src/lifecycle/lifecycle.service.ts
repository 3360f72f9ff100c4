import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { catalogKey, optionalText } from '../common/validate';
import { Customer } from '../customer/customer.entity';
import { Actor, actorUserId } from '../core/actor';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { findInScope } from '../common/scoped';
import { stageByKey, transitionList } from './lifecycle.loaders';
import { LifecycleStage } from './lifecycle-stage.entity';
import { LifecycleTransition, TransitionSource } from './lifecycle-transition.entity';
import type { LifecycleStagePayload, MoveCustomerToStageInput, MoveCustomerToStagePayload, SetContactCadenceInput } from './lifecycle.types';
import { lifecycleStageList } from './lifecycle.types';

export interface TransitionRecord {
  customerId: string;
  fromStageId: string | null;
  toStageId: string;
  reason: string | null;
  source: TransitionSource;
  actor: Actor;
  at?: Date;
}

/** Appends a transition to the history (the caller has set the customer's stage). */
export async function insertTransition(m: EntityManager, t: TransitionRecord): Promise<LifecycleTransition> {
  const transition = m.getRepository(LifecycleTransition).create({
    customerId: t.customerId,
    fromStageId: t.fromStageId,
    toStageId: t.toStageId,
    reason: t.reason,
    source: t.source,
    actorUserId: actorUserId(t.actor),
    actor: t.actor.label,
    at: t.at ?? new Date(),
  });
  await m.getRepository(LifecycleTransition).insert(transition);
  return transition;
}

/** Moves the customer and records the transition, inside the caller's transaction. */
export async function recordTransition(m: EntityManager, t: TransitionRecord): Promise<LifecycleTransition> {
  const transition = await insertTransition(m, t);
  await m
    .createQueryBuilder()
    .update(Customer)
    .set({ lifecycleStageId: t.toStageId, version: () => 'version + 1' })
    .where('id = :id', { id: t.customerId })
    .execute();
  return transition;
}

/** A stage move a rule decided, for recordTransitions. */
export interface StageMove {
  customerId: string;
  /** The stage the rule saw the customer in: a customer moved since then is skipped. */
  fromStageId: string | null;
  toStageId: string;
  reason: string;
}

/**
 * Moves many customers and records their transitions, inside the caller's transaction, one statement per batch of
 * 500 (recordTransition takes two per customer): the same rows, actor and version bump. A customer whose stage changed
 * since the rule read it is skipped. Returns the ids of the customers moved.
 */
export async function recordTransitions(m: EntityManager, moves: readonly StageMove[], o: { at: Date; source: TransitionSource; actor: Actor }): Promise<Set<string>> {
  const done = new Set<string>();
  for (let i = 0; i < moves.length; i += 500) {
    const batch = moves.slice(i, i + 500);
    const rows: Array<{ customer_id: string }> = await m.query(
      `WITH moved AS (
         UPDATE customers c SET lifecycle_stage_id = u.t, version = c.version + 1, updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS u(id, f, t, r)
          WHERE c.id = u.id AND c.lifecycle_stage_id IS NOT DISTINCT FROM u.f
         RETURNING c.id, u.f, u.t, u.r)
       INSERT INTO lifecycle_transitions (customer_id, from_stage_id, to_stage_id, at, reason, source, actor_user_id, actor)
       SELECT id, f, t, $5, r, $6, $7, $8 FROM moved
       RETURNING customer_id`,
      [
        batch.map((x) => x.customerId),
        batch.map((x) => x.fromStageId),
        batch.map((x) => x.toStageId),
        batch.map((x) => x.reason),
        o.at,
        o.source,
        actorUserId(o.actor),
        o.actor.label,
      ],
    );
    for (const r of rows) done.add(r.customer_id);
  }
  return done;
}

export class LifecycleService {
  constructor(private readonly deps: ServiceDeps) {}

  stages(args: ListArgs): Promise<Connection<LifecycleStage>> {
    return this.deps.loaders.list(lifecycleStageList, args);
  }

  stageByKey(key: string): Promise<LifecycleStage | null> {
    return stageByKey(this.deps.loaders).load(key);
  }

  history(customerId: string, args: ListArgs): Promise<Connection<LifecycleTransition>> {
    return this.deps.loaders.pageByParent(transitionList, 'customer_id', args).load(customerId);
  }

  /**
   * Sets how often customers in a stage should hear from us. The cadence is data in the stage catalog, not config:
   * managers tune it per stage as the playbook changes, without a deploy, and the change is audited like any other.
   */
  async setContactCadence(input: SetContactCadenceInput): Promise<LifecycleStagePayload> {
    this.deps.access.require('playbook:write');
    const errors = new UserErrors();
    const key = catalogKey(errors, ['input', 'stage'], input.stage);
    const days = input.everyDays ?? null;
    if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 3650)) errors.add(['input', 'everyDays'], UserErrorCode.OUT_OF_RANGE, 'Must be from 1 to 3650 days, or null for no cadence.');
    if (errors.any || !key) return { stage: null, userErrors: errors.list };
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(LifecycleStage);
      const current = await repo.createQueryBuilder('s').where('s.key = :key', { key }).setLock('pessimistic_write').getOne();
      if (!current) {
        errors.add(['input', 'stage'], UserErrorCode.NOT_FOUND, `No lifecycle stage with key "${input.stage}".`);
        return { stage: null, userErrors: errors.list };
      }
      await repo.update({ id: current.id }, { contactEveryDays: days });
      const updated = await repo.findOneByOrFail({ id: current.id });
      await recordAudit(m, this.deps, { action: 'lifecycleStage.setContactCadence', objectType: 'LifecycleStage', objectId: current.id, before: current, after: updated });
      return { stage: updated, userErrors: [] };
    });
  }

  async moveCustomerToStage(input: MoveCustomerToStageInput): Promise<MoveCustomerToStagePayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const customerId = decodeIdOf('Customer', input.customerId);
    if (!customerId) errors.add(['input', 'customerId'], UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
    const reason = optionalText(errors, ['input', 'reason'], input.reason, 1000) ?? null;
    const key = catalogKey(errors, ['input', 'stage'], input.stage);
    const stage = key ? await this.stageByKey(key) : null;
    if (key && !stage) errors.add(['input', 'stage'], UserErrorCode.NOT_FOUND, `No lifecycle stage with key "${input.stage}".`);
    if (errors.any || !customerId || !stage) return { customer: null, transition: null, userErrors: errors.list };

    return this.deps.db.transaction(async (m) => {
      const customer = await findInScope(m, Customer, customerId, this.deps.access.rowCondition('customers'), { lock: true });
      if (!customer) {
        errors.add(['input', 'customerId'], UserErrorCode.NOT_FOUND, 'No customer with this ID.');
        return { customer: null, transition: null, userErrors: errors.list };
      }
      if (customer.lifecycleStageId === stage.id) {
        errors.add(['input', 'stage'], UserErrorCode.INVALID_TRANSITION, `The customer is already in stage ${stage.key}.`);
        return { customer: null, transition: null, userErrors: errors.list };
      }
      const transition = await recordTransition(m, {
        customerId,
        fromStageId: customer.lifecycleStageId,
        toStageId: stage.id,
        reason,
        source: TransitionSource.MANUAL,
        actor: this.deps.actor,
      });
      const updated = await m.getRepository(Customer).findOneByOrFail({ id: customerId });
      await recordAudit(m, this.deps, { action: 'customer.moveToStage', objectType: 'Customer', objectId: customerId, before: { lifecycleStage: customer.lifecycleStageId, reason: null }, after: { lifecycleStage: stage.id, reason } });
      return { customer: updated, transition, userErrors: [] };
    });
  }
}
