import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { badInput, pgCode, pgConstraint, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import { filterNames, ListArgs, usesDerived } from '../common/list-query';
import { loadReferences, resolveReference } from '../common/references';
import { setDeleted } from '../common/soft-delete';
import { catalogKey, defined, labelList, optionalEmail, optionalPhone, optionalText, pastDate, requiredText } from '../common/validate';
import { stageByKey } from '../lifecycle/lifecycle.loaders';
import { insertTransition } from '../lifecycle/lifecycle.service';
import { TransitionSource } from '../lifecycle/lifecycle-transition.entity';
import { ownerByRules } from '../assignment/owner-by-rules';
import { OWNER_ROLES } from '../core/access';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { findInScope } from '../common/scoped';
import { byIdJoin } from '../core/loaders';
import { User } from '../user/user.entity';
import { CONSENT_PROPERTY, Customer } from './customer.entity';
import { customerList, scoresOnCustomerPages } from './customer.loaders';
import { mergeCustomers, type MergeCustomersInput, type MergeCustomersPayload } from './customer.merge';
import { DuplicateCandidate, duplicatePairs, duplicatesOf, PossibleDuplicate, type DuplicateMatch } from './customer.duplicates';
import { DuplicatePolicy, type CreateCustomerInput, type CustomerFields, type CustomerPayload, type UpdateCustomerInput } from './customer.types';
import { customFieldListArgs } from '../customfield/custom-field.lists';
import { CustomFieldEntity } from '../customfield/custom-field.entity';

/** createCustomer lists existing customers scoring at least this as possible duplicates (customer.duplicates.ts). */
const DUPLICATE_MIN_SCORE = 0.5;

/** Filters that read the loyalty programme's accounts: a filter would reveal them a guess at a time. */
const LOYALTY_FILTERS = ['loyaltyMember', 'loyaltyTier', 'loyaltyBalance'];

const payload = (customer: Customer | null, errors: UserErrors): CustomerPayload => ({ customer: errors.any ? null : customer, userErrors: errors.list, possibleDuplicates: [] });

/** A customer's owner, read with the customer by id when the query shows it. */
const CUSTOMER_OWNER = byIdJoin<Customer, User>(User, 'owner_id', (c) => c.ownerId);

export class CustomerService {
  constructor(private readonly deps: ServiceDeps) {}

  /** `withOwner`: the query shows the owner, read with the customer (byId(User) finds it). */
  async findOne(where: { id?: string | null; externalRef?: string | null }, withOwner = false): Promise<Customer | null> {
    if ((where.id == null) === (where.externalRef == null)) throw badInput('Pass exactly one of `id` or `externalRef`.');
    if (where.id != null) {
      const id = decodeIdOf('Customer', where.id);
      if (!id) throw badInput('`id` is not a valid Customer ID.', { field: 'id' });
      const loader = withOwner ? this.deps.loaders.byIdJoined(Customer, [CUSTOMER_OWNER]) : this.deps.loaders.byId(Customer);
      const customer = await loader.load(id);
      if (customer?.mergedIntoId) return this.survivorOf(customer.mergedIntoId);
      return customer && !customer.deletedAt ? customer : null;
    }
    return this.deps.loaders.findByUnique(Customer, 'external_ref', where.externalRef);
  }

  /** mergeCustomers (customer.merge.ts). */
  merge(input: MergeCustomersInput): Promise<MergeCustomersPayload> {
    return mergeCustomers(this.deps, input);
  }

  /** The live customer a merged one now is (following merges of merges), within the caller's scope. */
  async survivorOf(id: string): Promise<Customer | null> {
    for (let hops = 0, next: string | null = id; next && hops < 10; hops++) {
      const customer: Customer | null = await this.deps.loaders.byId(Customer).load(next);
      if (!customer) return null;
      if (!customer.mergedIntoId) return customer.deletedAt ? null : customer;
      next = customer.mergedIntoId;
    }
    return null;
  }

  /**
   * What a customer list's filter and sort reveal, checked for every list of customers (the top-level list, referrals,
   * a user's book) so that no nested list answers a question the top-level one refuses. Filters and sorts on scores
   * join the stored scores (customer_scores), which need analytics:read; a filter on open opportunities reveals them,
   * so it needs opportunities:read; loyalty filters need loyalty:read. Custom fields are checked by customFieldListArgs.
   */
  private listArgs(args: ListArgs): Promise<ListArgs> {
    if (usesDerived(customerList, args)) this.deps.access.require('analytics:read');
    if (filterNames(args.filter, 'hasOpenOpportunity')) this.deps.access.require('opportunities:read');
    if (LOYALTY_FILTERS.some((f) => filterNames(args.filter, f))) this.deps.access.require('loyalty:read');
    return customFieldListArgs(this.deps, CustomFieldEntity.CUSTOMER, args);
  }

  /** `withOwner`: the query shows each customer's owner, read with the page (byId(User) finds them). */
  async list(args: ListArgs, withOwner = false): Promise<Connection<Customer>> {
    const { columns, prime } = scoresOnCustomerPages;
    const loaders = this.deps.loaders;
    const scores = columns && prime ? { columns, onRows: (rows: ReadonlyArray<Record<string, unknown>>) => prime(loaders, rows) } : undefined;
    return loaders.list(customerList, await this.listArgs(args), scores, withOwner ? [CUSTOMER_OWNER] : []);
  }

  async referrals(customerId: string, args: ListArgs): Promise<Connection<Customer>> {
    return this.deps.loaders.pageByParent(customerList, 'referred_by_id', await this.listArgs(args)).load(customerId);
  }

  /** A user's book (`User.customers`). */
  async ofOwner(userId: string, args: ListArgs): Promise<Connection<Customer>> {
    return this.deps.loaders.pageByParent(customerList, 'owner_id', await this.listArgs(args)).load(userId);
  }

  /** The customers the caller may change (the row condition on alias `a`). */
  private get scope(): string | null {
    return this.deps.access.rowCondition('customers');
  }

  async create(input: CreateCustomerInput): Promise<CustomerPayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const name = requiredText(errors, ['input', 'name'], input.name);
    const stageKey = catalogKey(errors, ['input', 'lifecycleStage'], input.lifecycleStage ?? 'PROSPECT');
    const stage = stageKey ? await stageByKey(this.deps.loaders).load(stageKey) : null;
    if (stageKey && !stage) errors.add(['input', 'lifecycleStage'], UserErrorCode.NOT_FOUND, `No lifecycle stage with key "${stageKey}".`);
    try {
      return await this.deps.db.transaction(async (m) => {
        const fields = await this.validateFields(m, errors, input, null);
        if (errors.any || !stage || !name) return payload(null, errors);
        // One record per customer: the existing ones (that the caller may see) this one may duplicate.
        const found = await duplicatesOf(
          m,
          { name, email: fields.email ?? null, phone: fields.phone ?? null, birthday: fields.birthday ?? null, postalCode: fields.address?.postalCode ?? null, city: fields.address?.city ?? null },
          (alias) => this.deps.access.rowCondition('customers', alias),
          DUPLICATE_MIN_SCORE,
        );
        const possibleDuplicates = await this.possibleDuplicates(found);
        if (possibleDuplicates.length && input.onDuplicate === DuplicatePolicy.REFUSE) {
          errors.add(['input'], UserErrorCode.POSSIBLE_DUPLICATE, `This customer looks like ${possibleDuplicates.length === 1 ? 'one that exists' : `${possibleDuplicates.length} that exist`} (see possibleDuplicates): nothing was created.`);
          return { ...payload(null, errors), possibleDuplicates };
        }
        const repo = m.getRepository(Customer);
        // A sales rep's new customers are theirs: anything else would vanish from their view at once.
        const bookOwner = this.deps.access.bookOwnerId;
        const customer = repo.create({ kind: input.kind, name, ...fields, ...(bookOwner && fields.ownerId === undefined ? { ownerId: bookOwner } : {}), lifecycleStageId: stage.id });
        // Nobody named: the sales director's assignment rules choose (a new customer is a PROSPECT in tier MONITOR).
        if (customer.ownerId == null && fields.ownerId === undefined) {
          const facts = { region: customer.region ?? null, kind: customer.kind, personality: customer.personality ?? null, lifecycleStage: stage.key, segment: 'PROSPECT', valueTier: 'MONITOR' };
          customer.ownerId = (await ownerByRules(m, facts))?.ownerId ?? null;
        }
        await repo.insert(customer);
        await insertTransition(m, {
          customerId: customer.id,
          fromStageId: null,
          toStageId: stage.id,
          reason: 'Customer created',
          source: TransitionSource.MANUAL,
          actor: this.deps.actor,
        });
        const created = await repo.findOneByOrFail({ id: customer.id });
        await recordAudit(m, this.deps, { action: 'customer.create', objectType: 'Customer', objectId: created.id, after: created });
        return { ...payload(created, errors), possibleDuplicates };
      });
    } catch (e) {
      return this.uniqueViolation(e, errors);
    }
  }

  async update(input: UpdateCustomerInput): Promise<CustomerPayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Customer', input.id);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
      return payload(null, errors);
    }
    const name = input.name === undefined ? undefined : requiredText(errors, ['input', 'name'], input.name);
    if (input.kind === null) errors.add(['input', 'kind'], UserErrorCode.REQUIRED, 'Kind cannot be cleared.');
    try {
      return await this.deps.db.transaction(async (m) => {
        const repo = m.getRepository(Customer);
        const current = await findInScope(m, Customer, id, this.scope, { lock: true });
        if (!current) {
          errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No customer with this ID.');
          return payload(null, errors);
        }
        if (input.expectedVersion != null && input.expectedVersion !== current.version) {
          errors.add(['input', 'expectedVersion'], UserErrorCode.CONFLICT, `The customer changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
          return payload(null, errors);
        }
        if (input.referredById && decodeIdOf('Customer', input.referredById) === id) {
          errors.add(['input', 'referredById'], UserErrorCode.INVALID, 'A customer cannot refer themselves.');
        }
        const fields = await this.validateFields(m, errors, input, current);
        if (fields.referredById && fields.referredById !== id && (await this.referralCycle(m, id, fields.referredById))) {
          errors.add(['input', 'referredById'], UserErrorCode.INVALID, 'This customer was referred, directly or through others, by the customer itself: referrals cannot go in a circle.');
        }
        if (errors.any) return payload(null, errors);
        await repo.update({ id }, { ...defined({ name, kind: input.kind ?? undefined }), ...fields, version: current.version + 1 });
        const updated = await repo.findOneByOrFail({ id });
        await recordAudit(m, this.deps, { action: 'customer.update', objectType: 'Customer', objectId: id, before: current, after: updated });
        return payload(updated, errors);
      });
    } catch (e) {
      return this.uniqueViolation(e, errors);
    }
  }

  async delete(globalId: string): Promise<CustomerPayload> {
    return this.setDeleted(globalId, true);
  }

  async restore(globalId: string): Promise<CustomerPayload> {
    return this.setDeleted(globalId, false);
  }

  /** Soft delete keeps the customer's orders and history intact; restore brings it all back. */
  private async setDeleted(globalId: string, deleted: boolean): Promise<CustomerPayload> {
    this.deps.access.require('customers:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Customer', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => {
      const customer = await setDeleted(m, errors, Customer, 'customer', id, deleted, this.deps, { scope: this.scope });
      return payload(customer, errors);
    });
  }

  /** Pairs of customers that are probably one, best first: the review list before merging (duplicateCandidates). */
  async duplicateCandidates(first: number, minScore: number): Promise<DuplicateCandidate[]> {
    this.deps.access.require('customers:read');
    if (!(Number.isInteger(first) && first >= 1 && first <= 100)) throw badInput('`first` must be from 1 to 100.', { field: 'first' });
    if (!(minScore >= 0 && minScore <= 1)) throw badInput('`minScore` must be from 0 to 1.', { field: 'minScore' });
    const pairs = await duplicatePairs(this.deps.db.manager, (alias) => this.deps.access.rowCondition('customers', alias), minScore, first);
    const customers = await this.deps.loaders.byId(Customer).loadMany(pairs.flatMap((p) => [p.a, p.b]));
    return pairs.flatMap((p, i) => {
      const [a, b] = [customers[2 * i], customers[2 * i + 1]];
      if (!(a instanceof Customer) || !(b instanceof Customer)) return [];
      return [Object.assign(new DuplicateCandidate(), { customer: a, duplicate: b, score: p.score, reasons: p.reasons })];
    });
  }

  private async possibleDuplicates(found: Array<{ id: string; score: number; reasons: DuplicateMatch[] }>): Promise<PossibleDuplicate[]> {
    const customers = await this.deps.loaders.byId(Customer).loadMany(found.map((f) => f.id));
    return found.flatMap((f, i) => {
      const customer = customers[i];
      return customer instanceof Customer ? [Object.assign(new PossibleDuplicate(), { customer, score: f.score, reasons: f.reasons })] : [];
    });
  }

  /** Validates the fields shared by create and update; returns the columns to write. */
  private async validateFields(m: EntityManager, errors: UserErrors, input: CustomerFields, current: Customer | null): Promise<Partial<Customer>> {
    const at = (f: string) => ['input', f];
    const out: Partial<Customer> = defined({
      externalRef: optionalText(errors, at('externalRef'), input.externalRef),
      email: optionalEmail(errors, at('email'), input.email),
      phone: optionalPhone(errors, at('phone'), input.phone),
      birthday: pastDate(errors, at('birthday'), input.birthday),
      gender: optionalText(errors, at('gender'), input.gender, 50),
      incomeBand: optionalText(errors, at('incomeBand'), input.incomeBand, 50),
      region: optionalText(errors, at('region'), input.region, 100),
      personality: input.personality,
      interests: labelList(errors, at('interests'), input.interests),
      tags: labelList(errors, at('tags'), input.tags),
      acquisitionChannel: optionalText(errors, at('acquisitionChannel'), input.acquisitionChannel, 100),
      notes: optionalText(errors, at('notes'), input.notes, 10_000),
    });
    if (input.address !== undefined) {
      const a = input.address ?? {};
      out.address = {
        line1: optionalText(errors, ['input', 'address', 'line1'], a.line1) ?? null,
        line2: optionalText(errors, ['input', 'address', 'line2'], a.line2) ?? null,
        city: optionalText(errors, ['input', 'address', 'city'], a.city, 100) ?? null,
        region: optionalText(errors, ['input', 'address', 'region'], a.region, 100) ?? null,
        postalCode: optionalText(errors, ['input', 'address', 'postalCode'], a.postalCode, 20) ?? null,
        country: a.country?.toUpperCase() ?? null,
      };
    }
    const referredById = await resolveReference(m, errors, at('referredById'), 'Customer', Customer, input.referredById, this.scope);
    if (referredById !== undefined) out.referredById = referredById;
    // The owner's row, not just its existence: its role decides whether it may own customers (one statement).
    const owner = input.ownerId ? (await loadReferences(m, errors, [{ path: at('ownerId'), globalId: input.ownerId }], 'User', User)).get(input.ownerId) : undefined;
    const ownerId = input.ownerId == null ? input.ownerId : owner?.id;
    if (owner) {
      const bookOwner = this.deps.access.bookOwnerId;
      if (!OWNER_ROLES.includes(owner.role)) errors.add(at('ownerId'), UserErrorCode.INVALID, `${owner.name} is ${owner.role}: customers are owned by sales reps and managers.`);
      else if (bookOwner && ownerId !== bookOwner) errors.add(at('ownerId'), UserErrorCode.INVALID, 'A sales rep can assign customers only to themselves; ask a manager to hand a customer to someone else.');
    } else if (ownerId === null && this.deps.access.bookOwnerId) {
      errors.add(at('ownerId'), UserErrorCode.INVALID, 'A sales rep cannot leave a customer without an owner; ask a manager to reassign it.');
    }
    if (ownerId !== undefined) out.ownerId = ownerId;
    const now = new Date();
    (input.consents ?? []).forEach((c) => {
      const prop = CONSENT_PROPERTY[c.channel];
      const before = current?.[prop];
      // The timestamp records when consent last changed, so re-sending the same answer keeps it.
      out[prop] = before && before.granted === c.granted ? before : { granted: c.granted, at: now };
    });
    return out;
  }

  /**
   * Would `customerId` referred by `referrerId` close a circle, i.e. is the customer among the referrer's referrers?
   * Referral changes are serialised by an advisory lock, so two concurrent updates cannot close one between them.
   */
  private async referralCycle(m: EntityManager, customerId: string, referrerId: string): Promise<boolean> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('customers:referrals'))`);
    const [{ cycle }]: Array<{ cycle: boolean }> = await m.query(
      `WITH RECURSIVE chain(id) AS (
         SELECT $2::uuid
         UNION
         SELECT c.referred_by_id FROM customers c JOIN chain ON c.id = chain.id WHERE c.referred_by_id IS NOT NULL
       )
       SELECT EXISTS (SELECT 1 FROM chain WHERE id = $1::uuid) AS cycle`,
      [customerId, referrerId],
    );
    return cycle;
  }

  private uniqueViolation(e: unknown, errors: UserErrors): CustomerPayload {
    if (pgCode(e) === PG_UNIQUE_VIOLATION && pgConstraint(e) === 'customers_external_ref_key') {
      errors.add(['input', 'externalRef'], UserErrorCode.TAKEN, 'Another customer already has this external reference.');
      return payload(null, errors);
    }
    throw e;
  }
}
