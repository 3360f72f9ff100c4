import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { badInput, pgCode, pgConstraint, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { loadReferences } from '../common/references';
import { findInScope } from '../common/scoped';
import { setDeleted } from '../common/soft-delete';
import { defined, EARLIEST_DATE, nonNegativeAmount, optionalText, pastInstant, requiredText } from '../common/validate';
import { formatAmount } from '../common/money';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { ownerByRules, storedCustomerFacts } from '../assignment/owner-by-rules';
import { OWNER_ROLES } from '../core/access';
import { actorUserId } from '../core/actor';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { Order, PURCHASE_STATUSES } from '../order/order.entity';
import { Product } from '../product/product.entity';
import { User } from '../user/user.entity';
import { Opportunity, OpportunityStatus } from './opportunity.entity';
import { opportunityList, StageVisitRow, stageHistoryByOpportunity } from './opportunity.loaders';
import type {
  AssignOpportunityInput,
  CreateOpportunityInput,
  LoseOpportunityInput,
  MoveOpportunityStageInput,
  OpportunityFields,
  OpportunityPayload,
  UpdateOpportunityInput,
  WinOpportunityInput,
} from './opportunity.types';
import { MAX_PRODUCTS_PER_OPPORTUNITY } from './opportunity.types';
import { Pipeline, PipelineStage } from './pipeline.entity';
import { pipelineCurrency } from './pipeline.service';
import { customFieldListArgs } from '../customfield/custom-field.lists';
import { CustomFieldEntity } from '../customfield/custom-field.entity';

type Path = Array<string | number>;

/** How far in the future a time may lie: clients' clocks drift a little from the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;

const at = (f: string): Path => ['input', f];
const payload = (opportunity: Opportunity | null, errors: UserErrors): OpportunityPayload => ({ opportunity: errors.any ? null : opportunity, userErrors: errors.list });

/** A calendar date input ('YYYY-MM-DD') from 1900 to 9999; undefined stays unchanged, null clears. */
function calendarDate(errors: UserErrors, path: Path, value: Date | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const iso = Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || iso < EARLIEST_DATE) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, `Must be a date from ${EARLIEST_DATE} to 9999-12-31.`);
    return undefined;
  }
  return iso;
}

/**
 * Opportunities: the sales pipeline's records. Every write runs in one transaction with its stage history and
 * its audit event; a sales rep reaches only the opportunities they own (the access policy's row condition).
 */
export class OpportunityService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The opportunities the caller may change (the row condition on alias `a`). */
  private get scope(): string | null {
    return this.deps.access.rowCondition('opportunities');
  }

  async findOne(globalId: string): Promise<Opportunity | null> {
    const id = decodeIdOf('Opportunity', globalId);
    if (!id) throw badInput('`id` is not a valid Opportunity ID.', { field: 'id' });
    const found = await this.deps.loaders.byId(Opportunity).load(id);
    return found && !found.deletedAt ? found : null;
  }

  async list(args: ListArgs): Promise<Connection<Opportunity>> {
    return this.deps.loaders.list(opportunityList, await customFieldListArgs(this.deps, CustomFieldEntity.OPPORTUNITY, args));
  }

  async ofCustomer(customerId: string, args: ListArgs): Promise<Connection<Opportunity>> {
    return this.deps.loaders.pageByParent(opportunityList, 'customer_id', await customFieldListArgs(this.deps, CustomFieldEntity.OPPORTUNITY, args)).load(customerId);
  }

  stageHistory(opportunityId: string): Promise<StageVisitRow[]> {
    return stageHistoryByOpportunity(this.deps.loaders).load(opportunityId);
  }

  async create(input: CreateOpportunityInput): Promise<OpportunityPayload> {
    this.deps.access.require('opportunities:write');
    const errors = new UserErrors();
    const now = new Date();
    const name = requiredText(errors, at('name'), input.name);
    const openedAt = input.openedAt ?? now;
    pastInstant(errors, at('openedAt'), openedAt, now, CLOCK_SKEW_MS);
    const fields = this.validateFields(errors, input);
    return this.deps.db.transaction(async (m) => {
      const customer = await this.customerInBook(m, errors, input.customerId);
      const pipeline = await this.pipelineFor(m, errors, input.pipelineId);
      const stage = pipeline ? await this.stageFor(m, errors, pipeline, input.stageId) : null;
      const currency = pipeline ? pipelineCurrency(pipeline, this.deps.config) : null;
      if (currency && input.currency != null && input.currency.toUpperCase() !== currency) {
        errors.add(at('currency'), UserErrorCode.CURRENCY_MISMATCH, `The pipeline ${pipeline!.name} counts in ${currency}: give the amount in ${currency}.`);
      }
      const amount = currency ? nonNegativeAmount(errors, at('amount'), input.amount, currency) : undefined;
      const contactId = customer ? await this.contactOf(m, errors, input.contactId, customer.id) : undefined;
      const productIds = await this.products(m, errors, input.productIds);
      const ownerId = await this.ownerFor(m, errors, input.ownerId, customer);
      if (errors.any || !customer || !pipeline || !stage || !currency || amount === undefined || !ownerId) return payload(null, errors);

      const repo = m.getRepository(Opportunity);
      const opportunity = repo.create({
        ...fields,
        customerId: customer.id,
        contactId: contactId ?? null,
        ownerId,
        pipelineId: pipeline.id,
        stageId: stage.id,
        name,
        amountValue: formatAmount(amount),
        currency,
        productIds: productIds ?? [],
        status: OpportunityStatus.OPEN,
        openedAt,
        stageEnteredAt: openedAt,
        lastActivityAt: now < openedAt ? openedAt : now,
      });
      await repo.insert(opportunity);
      await this.enterStage(m, opportunity.id, stage.id, openedAt);
      const created = await repo.findOneByOrFail({ id: opportunity.id });
      await recordAudit(m, this.deps, { action: 'opportunity.create', objectType: 'Opportunity', objectId: created.id, after: created });
      return payload(created, errors);
    });
  }

  async update(input: UpdateOpportunityInput): Promise<OpportunityPayload> {
    const errors = new UserErrors();
    if (input.name === null) errors.add(at('name'), UserErrorCode.REQUIRED, 'Name cannot be cleared.');
    if (input.amount === null) errors.add(at('amount'), UserErrorCode.REQUIRED, 'Amount cannot be cleared.');
    const name = input.name == null ? undefined : requiredText(errors, at('name'), input.name);
    const fields = this.validateFields(errors, input);
    return this.change(input.id, input.expectedVersion, errors, 'opportunity.update', async (m, current) => {
      const amount = input.amount == null ? undefined : nonNegativeAmount(errors, at('amount'), input.amount, current.currency);
      if (amount !== undefined && current.status !== OpportunityStatus.OPEN) {
        errors.add(at('amount'), UserErrorCode.INVALID, `The opportunity is ${current.status}: its amount is what it closed at.`);
      }
      const contactId = await this.contactOf(m, errors, input.contactId, current.customerId);
      const productIds = await this.products(m, errors, input.productIds);
      if (errors.any) return null;
      return { ...fields, ...defined({ name, contactId, productIds, amountValue: amount === undefined ? undefined : formatAmount(amount) }) };
    });
  }

  async move(input: MoveOpportunityStageInput): Promise<OpportunityPayload> {
    const errors = new UserErrors();
    const now = new Date();
    const movedAt = input.movedAt ?? now;
    pastInstant(errors, at('movedAt'), movedAt, now, CLOCK_SKEW_MS);
    return this.change(input.id, input.expectedVersion, errors, 'opportunity.move', async (m, current) => {
      this.mustBeOpen(errors, current, 'moved');
      const stageId = decodeIdOf('PipelineStage', input.stageId);
      const stage = stageId ? await m.getRepository(PipelineStage).findOneBy({ id: stageId }) : null;
      if (!stageId) errors.add(at('stageId'), UserErrorCode.INVALID_ID, 'Not a valid PipelineStage ID.');
      else if (!stage) errors.add(at('stageId'), UserErrorCode.NOT_FOUND, 'No pipeline stage with this ID.');
      else if (stage.pipelineId !== current.pipelineId) errors.add(at('stageId'), UserErrorCode.INVALID, 'This stage belongs to another pipeline.');
      else if (stage.id === current.stageId) errors.add(at('stageId'), UserErrorCode.INVALID, 'The opportunity is already in this stage.');
      if (movedAt < current.stageEnteredAt) errors.add(at('movedAt'), UserErrorCode.OUT_OF_RANGE, 'Must not be before the opportunity entered its current stage.');
      if (errors.any || !stage) return null;
      await this.leaveStage(m, current.id, movedAt);
      await this.enterStage(m, current.id, stage.id, movedAt);
      return { stageId: stage.id, stageEnteredAt: movedAt };
    });
  }

  async assign(input: AssignOpportunityInput): Promise<OpportunityPayload> {
    const errors = new UserErrors();
    return this.change(input.id, input.expectedVersion, errors, 'opportunity.assign', async (m) => {
      const owner = await this.eligibleOwner(m, errors, at('ownerId'), input.ownerId);
      return errors.any || !owner ? null : { ownerId: owner.id };
    });
  }

  async win(input: WinOpportunityInput): Promise<OpportunityPayload> {
    const errors = new UserErrors();
    const now = new Date();
    const closedAt = input.closedAt ?? now;
    pastInstant(errors, at('closedAt'), closedAt, now, CLOCK_SKEW_MS);
    return this.change(input.id, input.expectedVersion, errors, 'opportunity.win', async (m, current) => {
      this.mustBeOpen(errors, current, 'won');
      this.closedAfterStage(errors, current, closedAt);
      const orderId = await this.orderOf(m, errors, input.orderId, current);
      if (errors.any) return null;
      await this.leaveStage(m, current.id, closedAt);
      return { status: OpportunityStatus.WON, closedAt, orderId: orderId ?? null };
    });
  }

  async lose(input: LoseOpportunityInput): Promise<OpportunityPayload> {
    const errors = new UserErrors();
    const now = new Date();
    const reason = requiredText(errors, at('reason'), input.reason, 500);
    const closedAt = input.closedAt ?? now;
    pastInstant(errors, at('closedAt'), closedAt, now, CLOCK_SKEW_MS);
    return this.change(input.id, input.expectedVersion, errors, 'opportunity.lose', async (m, current) => {
      this.mustBeOpen(errors, current, 'lost');
      this.closedAfterStage(errors, current, closedAt);
      if (errors.any || !reason) return null;
      await this.leaveStage(m, current.id, closedAt);
      return { status: OpportunityStatus.LOST, closedAt, lostReason: reason };
    });
  }

  delete(globalId: string): Promise<OpportunityPayload> {
    return this.setDeleted(globalId, true);
  }

  restore(globalId: string): Promise<OpportunityPayload> {
    return this.setDeleted(globalId, false);
  }

  private async setDeleted(globalId: string, deleted: boolean): Promise<OpportunityPayload> {
    this.deps.access.require('opportunities:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Opportunity', globalId);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid Opportunity ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => payload(await setDeleted(m, errors, Opportunity, 'opportunity', id, deleted, this.deps, { scope: this.scope }), errors));
  }

  /**
   * The shape of every change to one opportunity: lock it within the caller's scope (NOT_FOUND outside it), check the
   * version, let `decide` validate and return the columns to write (null after recording userErrors), then write
   * them with a new version and the time of the activity, and audit the change: all in one transaction.
   */
  private async change(
    globalId: string,
    expectedVersion: number | null | undefined,
    errors: UserErrors,
    action: string,
    decide: (m: EntityManager, current: Opportunity) => Promise<Partial<Opportunity> | null>,
  ): Promise<OpportunityPayload> {
    this.deps.access.require('opportunities:write');
    const id = decodeIdOf('Opportunity', globalId);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid Opportunity ID.');
      return payload(null, errors);
    }
    try {
      return await this.deps.db.transaction(async (m) => {
        const current = await findInScope(m, Opportunity, id, this.scope, { lock: true });
        if (!current) {
          errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No opportunity with this ID.');
          return payload(null, errors);
        }
        if (expectedVersion != null && expectedVersion !== current.version) {
          errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The opportunity changed since you read it (version ${current.version}, you sent ${expectedVersion}).`);
          return payload(null, errors);
        }
        if (errors.any) return payload(null, errors);
        const changes = await decide(m, current);
        if (!changes || errors.any) return payload(null, errors);
        const repo = m.getRepository(Opportunity);
        const now = new Date();
        await repo.update({ id }, { ...changes, version: current.version + 1, lastActivityAt: now < current.lastActivityAt ? current.lastActivityAt : now });
        const updated = await repo.findOneByOrFail({ id });
        await recordAudit(m, this.deps, { action, objectType: 'Opportunity', objectId: id, before: current, after: updated });
        return payload(updated, errors);
      });
    } catch (e) {
      // Two wins racing to link the same order: the second finds it taken by the unique index.
      if (pgCode(e) === PG_UNIQUE_VIOLATION && pgConstraint(e) === 'opportunities_order_key') {
        errors.add(at('orderId'), UserErrorCode.TAKEN, 'This order already closed another opportunity.');
        return payload(null, errors);
      }
      throw e;
    }
  }

  private mustBeOpen(errors: UserErrors, current: Opportunity, what: string): void {
    if (current.status !== OpportunityStatus.OPEN) errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `The opportunity is already ${current.status}: only an open one can be ${what}.`);
  }

  private closedAfterStage(errors: UserErrors, current: Opportunity, closedAt: Date): void {
    if (closedAt < current.stageEnteredAt) errors.add(at('closedAt'), UserErrorCode.OUT_OF_RANGE, 'Must not be before the opportunity entered its current stage.');
  }

  private async enterStage(m: EntityManager, opportunityId: string, stageId: string, at: Date): Promise<void> {
    await m.query(`INSERT INTO opportunity_stage_history (opportunity_id, stage_id, entered_at, user_id) VALUES ($1, $2, $3, $4)`, [
      opportunityId,
      stageId,
      at,
      actorUserId(this.deps.actor),
    ]);
  }

  private async leaveStage(m: EntityManager, opportunityId: string, at: Date): Promise<void> {
    await m.query(`UPDATE opportunity_stage_history SET left_at = $2 WHERE opportunity_id = $1 AND left_at IS NULL`, [opportunityId, at]);
  }

  /** The customer, locked against deletion, if it is in the caller's book; otherwise NOT_FOUND, as if it did not exist. */
  private async customerInBook(m: EntityManager, errors: UserErrors, globalId: string): Promise<Customer | null> {
    const id = decodeIdOf('Customer', globalId);
    if (!id) {
      errors.add(at('customerId'), UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
      return null;
    }
    const customer = await findInScope(m, Customer, id, this.deps.access.rowCondition('customers'), { lock: true });
    if (!customer) errors.add(at('customerId'), UserErrorCode.NOT_FOUND, 'No customer with this ID.');
    return customer;
  }

  private async pipelineFor(m: EntityManager, errors: UserErrors, globalId: string | null | undefined): Promise<Pipeline | null> {
    const repo = m.getRepository(Pipeline);
    if (globalId == null) {
      const fallback = await repo.findOneBy({ isDefault: true });
      if (!fallback) errors.add(at('pipelineId'), UserErrorCode.REQUIRED, 'There is no default pipeline: name one.');
      return fallback;
    }
    const id = decodeIdOf('Pipeline', globalId);
    if (!id) {
      errors.add(at('pipelineId'), UserErrorCode.INVALID_ID, 'Not a valid Pipeline ID.');
      return null;
    }
    const pipeline = await repo.findOneBy({ id });
    if (!pipeline) errors.add(at('pipelineId'), UserErrorCode.NOT_FOUND, 'No pipeline with this ID.');
    return pipeline;
  }

  private async stageFor(m: EntityManager, errors: UserErrors, pipeline: Pipeline, globalId: string | null | undefined): Promise<PipelineStage | null> {
    const repo = m.getRepository(PipelineStage);
    if (globalId == null) {
      const first = await repo.findOne({ where: { pipelineId: pipeline.id }, order: { position: 'ASC' } });
      if (!first) errors.add(at('pipelineId'), UserErrorCode.INVALID, 'The pipeline has no stages.');
      return first;
    }
    const id = decodeIdOf('PipelineStage', globalId);
    const stage = id ? await repo.findOneBy({ id }) : null;
    if (!id) errors.add(at('stageId'), UserErrorCode.INVALID_ID, 'Not a valid PipelineStage ID.');
    else if (!stage) errors.add(at('stageId'), UserErrorCode.NOT_FOUND, 'No pipeline stage with this ID.');
    else if (stage.pipelineId !== pipeline.id) errors.add(at('stageId'), UserErrorCode.INVALID, `This stage belongs to another pipeline than ${pipeline.name}.`);
    return errors.any ? null : stage;
  }

  /**
   * A contact that must belong to the opportunity's customer. One outside the caller's scope is NOT_FOUND; one of
   * another customer is INVALID (it exists, but the deal is not with them).
   */
  private async contactOf(m: EntityManager, errors: UserErrors, globalId: string | null | undefined, customerId: string): Promise<string | null | undefined> {
    if (globalId == null) return globalId;
    const id = decodeIdOf('Contact', globalId);
    if (!id) {
      errors.add(at('contactId'), UserErrorCode.INVALID_ID, 'Not a valid Contact ID.');
      return undefined;
    }
    const contact = await findInScope(m, Contact, id, this.deps.access.rowCondition('contacts'));
    if (!contact) errors.add(at('contactId'), UserErrorCode.NOT_FOUND, 'No contact with this ID.');
    else if (contact.customerId !== customerId) errors.add(at('contactId'), UserErrorCode.INVALID, 'This contact belongs to another customer.');
    return errors.any ? undefined : id;
  }

  private async products(m: EntityManager, errors: UserErrors, globalIds: string[] | null | undefined): Promise<string[] | undefined> {
    if (globalIds === undefined) return undefined;
    const list = globalIds ?? [];
    if (list.length > MAX_PRODUCTS_PER_OPPORTUNITY) {
      errors.add(at('productIds'), UserErrorCode.TOO_MANY, `At most ${MAX_PRODUCTS_PER_OPPORTUNITY} products.`);
      return undefined;
    }
    const before = errors.list.length;
    const found = await loadReferences(m, errors, list.map((globalId, i) => ({ path: ['input', 'productIds', i], globalId })), 'Product', Product);
    if (errors.list.length > before) return undefined;
    return [...new Set(list.map((g) => found.get(g)!.id))];
  }

  /**
   * Who works a new opportunity: the one named, else a sales rep themselves, else the customer's owner, else the
   * caller when they may own opportunities.
   */
  private async ownerFor(m: EntityManager, errors: UserErrors, globalId: string | null | undefined, customer: Customer | null): Promise<string | undefined> {
    if (globalId != null) return (await this.eligibleOwner(m, errors, at('ownerId'), globalId))?.id;
    const book = this.deps.access.bookOwnerId;
    if (book) return book;
    // The customer's owner works their deals; for a customer nobody owns, the assignment rules choose.
    const [facts] = customer && !customer.ownerId ? await storedCustomerFacts(m, [customer.id]) : [];
    const byRules = facts ? await ownerByRules(m, facts) : null;
    const candidates = [customer?.ownerId, byRules?.ownerId, actorUserId(this.deps.actor)].filter((id): id is string => !!id);
    if (candidates.length) {
      const users = await m.getRepository(User).createQueryBuilder('u').where('u.id = ANY(:ids::uuid[])', { ids: candidates }).getMany();
      const eligible = candidates.find((id) => users.some((u) => u.id === id && OWNER_ROLES.includes(u.role)));
      if (eligible) return eligible;
    }
    if (customer) errors.add(at('ownerId'), UserErrorCode.REQUIRED, 'Name the owner: neither the customer’s owner nor you can own opportunities.');
    return undefined;
  }

  /** A user who may own opportunities (a sales rep or manager); a sales rep may name only themselves. */
  private async eligibleOwner(m: EntityManager, errors: UserErrors, path: Path, globalId: string): Promise<User | undefined> {
    const owner = (await loadReferences(m, errors, [{ path, globalId }], 'User', User)).get(globalId);
    if (!owner) return undefined;
    const book = this.deps.access.bookOwnerId;
    if (!OWNER_ROLES.includes(owner.role)) errors.add(path, UserErrorCode.INVALID, `${owner.name} is ${owner.role}: opportunities are owned by sales reps and managers.`);
    else if (book && owner.id !== book) errors.add(path, UserErrorCode.INVALID, 'A sales rep’s opportunities are their own; ask a manager to hand one to someone else.');
    return errors.any ? undefined : owner;
  }

  /** The order a won deal became: one of the same customer the caller may see, a purchase, not closing another deal. */
  private async orderOf(m: EntityManager, errors: UserErrors, globalId: string | null | undefined, current: Opportunity): Promise<string | null | undefined> {
    if (globalId == null) return globalId;
    const id = decodeIdOf('Order', globalId);
    if (!id) {
      errors.add(at('orderId'), UserErrorCode.INVALID_ID, 'Not a valid Order ID.');
      return undefined;
    }
    const order = await findInScope(m, Order, id, this.deps.access.rowCondition('orders'));
    if (!order) errors.add(at('orderId'), UserErrorCode.NOT_FOUND, 'No order with this ID.');
    else if (order.customerId !== current.customerId) errors.add(at('orderId'), UserErrorCode.INVALID, 'This order belongs to another customer.');
    else if (!PURCHASE_STATUSES.includes(order.status)) errors.add(at('orderId'), UserErrorCode.INVALID, `The order is ${order.status}: it is not a sale.`);
    else {
      const [taken] = await m.query(`SELECT 1 FROM opportunities WHERE order_id = $1 AND id <> $2`, [id, current.id]);
      if (taken) errors.add(at('orderId'), UserErrorCode.TAKEN, 'This order already closed another opportunity.');
    }
    return errors.any ? undefined : id;
  }

  /** Validates the plain fields shared by create and update; returns the columns to write. */
  private validateFields(errors: UserErrors, input: OpportunityFields): Partial<Opportunity> {
    return defined({
      expectedCloseDate: calendarDate(errors, at('expectedCloseDate'), input.expectedCloseDate),
      source: optionalText(errors, at('source'), input.source, 100),
      nextStep: optionalText(errors, at('nextStep'), input.nextStep, 1_000),
    });
  }
}
