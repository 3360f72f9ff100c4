import type { EntityManager } from 'typeorm';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import { matchingIds, usesDerived } from '../common/list-query';
import { loadReferences } from '../common/references';
import { catalogKey, optionalText, requiredText } from '../common/validate';
import { OWNER_ROLES } from '../core/access';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { customerList } from '../customer/customer.loaders';
import { CustomFieldEntity } from '../customfield/custom-field.entity';
import { customFieldListArgs } from '../customfield/custom-field.lists';
import { User } from '../user/user.entity';
import { AssignmentRule } from './assignment-rule.entity';
import {
  AssignmentRuleFields,
  AssignmentRulePayload,
  AssignmentRunPayload,
  ApplyAssignmentRulesInput,
  CreateAssignmentRuleInput,
  LISTED_CHANGES,
  MAX_BULK_CUSTOMERS,
  MAX_RULE_OWNERS,
  MAX_RULES,
  ReassignCustomersInput,
  UpdateAssignmentRuleInput,
} from './assignment.types';
import { firstMatchingRule, ownerForTurn, type CustomerFacts } from './matching';
import { storedCustomerFacts } from './owner-by-rules';

type Path = Array<string | number>;
const at = (f: string): Path => ['input', f];
const payload = (rule: AssignmentRule | null, errors: UserErrors): AssignmentRulePayload => ({ rule: errors.any ? null : rule, userErrors: errors.list });
/** Rule edits shift positions: one editor at a time keeps them 1…n. */
const lockRules = (m: EntityManager) => m.query(`SELECT pg_advisory_xact_lock(hashtext('assignment_rules'))`);

/** A customer as the rules see it, with their current owner. */
interface AssignableCustomer extends CustomerFacts {
  id: string;
  ownerId: string | null;
}

/** The facts of the given customers, locked for the change (in id order, so concurrent runs do not deadlock). */
const customerFacts = (m: EntityManager, ids: string[]): Promise<AssignableCustomer[]> => storedCustomerFacts(m, ids, true);

/**
 * Assignment rules and bulk reassignment: the sales director decides which rep serves which customers (ADMIN and
 * MANAGER; `assignment:write`), in rules applied to new customers and on demand, or by handing a set over at once.
 */
export class AssignmentService {
  constructor(private readonly deps: ServiceDeps) {}

  rules(includeDeleted: boolean): Promise<AssignmentRule[]> {
    this.deps.access.require('assignment:read');
    return this.deps.db.getRepository(AssignmentRule).find({ withDeleted: includeDeleted, order: { position: 'ASC', createdAt: 'ASC' } });
  }

  /** The owners of a rule, in order (users are not customer data: every role that reads rules may see them). */
  async owners(rule: AssignmentRule): Promise<User[]> {
    const users = await this.deps.loaders.byId(User).loadMany(rule.ownerIds);
    return users.filter((u): u is User => u instanceof User);
  }

  async create(input: CreateAssignmentRuleInput): Promise<AssignmentRulePayload> {
    this.deps.access.require('assignment:write');
    const errors = new UserErrors();
    const name = requiredText(errors, at('name'), input.name);
    return this.deps.db.transaction(async (m) => {
      await lockRules(m);
      const fields = await this.validate(m, errors, input);
      const ownerIds = await this.validOwners(m, errors, input.ownerIds);
      const [{ n }]: Array<{ n: number }> = await m.query(`SELECT count(*)::int AS n FROM assignment_rules WHERE deleted_at IS NULL`);
      if (n >= MAX_RULES) errors.add(at('name'), UserErrorCode.TOO_MANY, `There are already ${MAX_RULES} rules; delete one first.`);
      const position = input.position ?? n + 1;
      if (!(Number.isInteger(position) && position >= 1 && position <= n + 1)) errors.add(at('position'), UserErrorCode.OUT_OF_RANGE, `Position must be from 1 to ${n + 1}.`);
      if (errors.any || !name || !ownerIds) return payload(null, errors);
      await m.query(`UPDATE assignment_rules SET position = position + 1 WHERE deleted_at IS NULL AND position >= $1`, [position]);
      const repo = m.getRepository(AssignmentRule);
      const rule = repo.create({ ...emptyConditions(), ...fields, name, ownerIds, position, active: input.active ?? true, nextTurn: 0 });
      await repo.insert(rule);
      const created = await repo.findOneByOrFail({ id: rule.id });
      await recordAudit(m, this.deps, { action: 'assignmentRule.create', objectType: 'AssignmentRule', objectId: created.id, after: created });
      return payload(created, errors);
    });
  }

  async update(input: UpdateAssignmentRuleInput): Promise<AssignmentRulePayload> {
    this.deps.access.require('assignment:write');
    const errors = new UserErrors();
    const id = decodeIdOf('AssignmentRule', input.id);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid AssignmentRule ID.');
      return payload(null, errors);
    }
    const name = input.name === undefined ? undefined : requiredText(errors, at('name'), input.name);
    return this.deps.db.transaction(async (m) => {
      await lockRules(m);
      const repo = m.getRepository(AssignmentRule);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) {
        errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No assignment rule with this ID.');
        return payload(null, errors);
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The rule changed since you read it (version ${current.version} now); reload and retry.`);
      }
      const fields = await this.validate(m, errors, input);
      const ownerIds = input.ownerIds == null ? undefined : await this.validOwners(m, errors, input.ownerIds);
      if (input.ownerIds === null) errors.add(at('ownerIds'), UserErrorCode.REQUIRED, 'A rule needs an owner.');
      if (input.active === null) errors.add(at('active'), UserErrorCode.REQUIRED, 'Active cannot be cleared.');
      const [{ n }]: Array<{ n: number }> = await m.query(`SELECT count(*)::int AS n FROM assignment_rules WHERE deleted_at IS NULL`);
      if (input.position != null && !(Number.isInteger(input.position) && input.position >= 1 && input.position <= n)) {
        errors.add(at('position'), UserErrorCode.OUT_OF_RANGE, `Position must be from 1 to ${n}.`);
      }
      if (errors.any || ownerIds === null) return payload(null, errors);
      if (input.position != null && input.position !== current.position) {
        // The rules between the old and the new place move by one toward the gap.
        const [from, to] = [current.position, input.position];
        await m.query(
          from < to
            ? `UPDATE assignment_rules SET position = position - 1 WHERE deleted_at IS NULL AND position > $1 AND position <= $2`
            : `UPDATE assignment_rules SET position = position + 1 WHERE deleted_at IS NULL AND position >= $2 AND position < $1`,
          [from, to],
        );
      }
      const changes: Partial<AssignmentRule> = { ...fields, version: current.version + 1 };
      if (name !== undefined) changes.name = name;
      if (input.active != null) changes.active = input.active;
      if (input.position != null) changes.position = input.position;
      if (ownerIds) Object.assign(changes, { ownerIds, nextTurn: 0 });
      await repo.update({ id }, changes);
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, { action: 'assignmentRule.update', objectType: 'AssignmentRule', objectId: id, before: current, after: updated });
      return payload(updated, errors);
    });
  }

  /** Soft delete; the rules after it move up one. */
  async delete(globalId: string): Promise<AssignmentRulePayload> {
    this.deps.access.require('assignment:write');
    const errors = new UserErrors();
    const id = decodeIdOf('AssignmentRule', globalId);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid AssignmentRule ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => {
      await lockRules(m);
      const repo = m.getRepository(AssignmentRule);
      const current = await repo.findOne({ where: { id }, withDeleted: true });
      if (!current) errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No assignment rule with this ID.');
      else if (current.deletedAt) errors.add(at('id'), UserErrorCode.ALREADY_DELETED, 'This rule is already deleted.');
      if (errors.any || !current) return payload(null, errors);
      await repo.update({ id }, { deletedAt: new Date(), version: current.version + 1 });
      await m.query(`UPDATE assignment_rules SET position = position - 1 WHERE deleted_at IS NULL AND position > $1`, [current.position]);
      const deleted = await repo.findOneOrFail({ where: { id }, withDeleted: true });
      await recordAudit(m, this.deps, { action: 'assignmentRule.delete', objectType: 'AssignmentRule', objectId: id, before: current, after: deleted });
      return payload(deleted, errors);
    });
  }

  /** Runs the active rules over the filtered customers: first match wins, teams in turn; one transaction. */
  async apply(input: ApplyAssignmentRulesInput): Promise<AssignmentRunPayload> {
    this.deps.access.require('assignment:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const customers = await this.selected(m, errors, input.filter);
      if (!customers) return emptyRun(input.dryRun, errors);
      const rules = await m.getRepository(AssignmentRule).find({ where: { active: true }, order: { position: 'ASC' }, lock: { mode: 'pessimistic_write' } });
      const turns = new Map(rules.map((r) => [r.id, r.nextTurn]));
      const matched = new Map<string, number>();
      const changes: Array<{ customer: AssignableCustomer; toOwnerId: string; rule: AssignmentRule }> = [];
      let unmatched = 0;
      for (const c of customers) {
        const rule = firstMatchingRule(rules, c);
        if (!rule) {
          unmatched++;
          continue;
        }
        matched.set(rule.id, (matched.get(rule.id) ?? 0) + 1);
        if (input.onlyUnowned && c.ownerId !== null) continue;
        // A customer a rule would give to their own owner keeps them, and does not use up a turn.
        if (rule.ownerIds.includes(c.ownerId ?? '')) continue;
        const { ownerId, nextTurn } = ownerForTurn(rule.ownerIds, turns.get(rule.id)!);
        turns.set(rule.id, nextTurn);
        changes.push({ customer: c, toOwnerId: ownerId, rule });
      }
      if (!input.dryRun) {
        await this.writeOwners(m, changes.map((c) => ({ id: c.customer.id, from: c.customer.ownerId, to: c.toOwnerId })), 'customer.assign');
        const advanced = rules.filter((r) => turns.get(r.id) !== r.nextTurn);
        if (advanced.length) {
          await m.query(`UPDATE assignment_rules r SET next_turn = u.turn FROM unnest($1::uuid[], $2::int[]) AS u(id, turn) WHERE r.id = u.id`, [
            advanced.map((r) => r.id),
            advanced.map((r) => turns.get(r.id)),
          ]);
        }
      }
      const run = await this.report(input.dryRun, customers.length, changes.map((c) => ({ customerId: c.customer.id, from: c.customer.ownerId, to: c.toOwnerId, rule: c.rule })));
      run.unmatched = unmatched;
      run.byRule = rules.filter((r) => matched.has(r.id)).map((rule) => ({ rule, customers: matched.get(rule.id)! }));
      return run;
    });
  }

  /** Hands every filtered customer to one owner in one transaction, each change in the audit log. */
  async reassign(input: ReassignCustomersInput): Promise<AssignmentRunPayload> {
    this.deps.access.require('assignment:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const owners = await this.validOwners(m, errors, [input.toOwnerId], at('toOwnerId'));
      const customers = await this.selected(m, errors, input.filter);
      if (!customers || !owners) return emptyRun(input.dryRun, errors);
      const [to] = owners;
      const changes = customers.filter((c) => c.ownerId !== to).map((c) => ({ customerId: c.id, from: c.ownerId, to, rule: null }));
      if (!input.dryRun) await this.writeOwners(m, changes.map((c) => ({ id: c.customerId, from: c.from, to: c.to })), 'customer.reassign');
      return this.report(input.dryRun, customers.length, changes);
    });
  }

  // -- helpers ------------------------------------------------------------------------------------------------------

  /** The filtered customers in the caller's scope with their facts, locked; null (with a userError) for too many. */
  private async selected(m: EntityManager, errors: UserErrors, filter: object | null | undefined): Promise<AssignableCustomer[] | null> {
    const args = { filter: (filter ?? null) as Record<string, unknown> | null };
    if (usesDerived(customerList, args)) this.deps.access.require('analytics:read');
    await customFieldListArgs(this.deps, CustomFieldEntity.CUSTOMER, args);
    const ids = await matchingIds(m, customerList, args.filter, this.deps.loaders.scopeOf(Customer), MAX_BULK_CUSTOMERS + 1);
    if (ids.length > MAX_BULK_CUSTOMERS) {
      errors.add(at('filter'), UserErrorCode.TOO_MANY, `The filter selects more than ${MAX_BULK_CUSTOMERS} customers; narrow it and run again.`);
      return null;
    }
    return customerFacts(m, ids);
  }

  private async writeOwners(m: EntityManager, changes: Array<{ id: string; from: string | null; to: string }>, action: string): Promise<void> {
    if (!changes.length) return;
    await m.query(
      `UPDATE customers c SET owner_id = u.owner, version = c.version + 1, updated_at = now() FROM unnest($1::uuid[], $2::uuid[]) AS u(id, owner) WHERE c.id = u.id`,
      [changes.map((c) => c.id), changes.map((c) => c.to)],
    );
    await recordAudit(
      m,
      this.deps,
      changes.map((c) => ({ action, objectType: 'Customer', objectId: c.id, before: { ownerId: c.from }, after: { ownerId: c.to } })),
    );
  }

  private async report(dryRun: boolean, evaluated: number, changes: Array<{ customerId: string; from: string | null; to: string; rule: AssignmentRule | null }>): Promise<AssignmentRunPayload> {
    const perOwner = new Map<string, number>();
    for (const c of changes) perOwner.set(c.to, (perOwner.get(c.to) ?? 0) + 1);
    const listed = changes.slice(0, LISTED_CHANGES);
    const users = new Map<string, User>();
    const userIds = [...new Set([...perOwner.keys(), ...listed.flatMap((c) => (c.from ? [c.from] : []))])];
    for (const u of await this.deps.loaders.byId(User).loadMany(userIds)) if (u instanceof User) users.set(u.id, u);
    const customers = await this.deps.loaders.byId(Customer).loadMany(listed.map((c) => c.customerId));
    return {
      dryRun,
      evaluated,
      changed: changes.length,
      unmatched: 0,
      byRule: [],
      byOwner: [...perOwner].filter(([id]) => users.has(id)).map(([id, n]) => ({ owner: users.get(id)!, customers: n })),
      changes: listed.flatMap((c, i) => {
        const customer = customers[i];
        if (!(customer instanceof Customer) || !users.has(c.to)) return [];
        return [{ customer, fromOwner: c.from ? (users.get(c.from) ?? null) : null, toOwner: users.get(c.to)!, rule: c.rule }];
      }),
      userErrors: [],
    };
  }

  /** Owner IDs → user ids, each an existing SALES_REP or MANAGER, at most MAX_RULE_OWNERS, no repeats. */
  private async validOwners(m: EntityManager, errors: UserErrors, globalIds: string[], path: Path = at('ownerIds')): Promise<string[] | null> {
    if (globalIds.length === 0) {
      errors.add(path, UserErrorCode.REQUIRED, 'Name at least one owner.');
      return null;
    }
    if (globalIds.length > MAX_RULE_OWNERS) {
      errors.add(path, UserErrorCode.TOO_MANY, `At most ${MAX_RULE_OWNERS} owners.`);
      return null;
    }
    const single = globalIds.length === 1 && path[path.length - 1] === 'toOwnerId';
    const refs = globalIds.map((globalId, i) => ({ path: single ? path : [...path, i], globalId }));
    const users = await loadReferences(m, errors, refs, 'User', User);
    const ids: string[] = [];
    globalIds.forEach((g, i) => {
      const user = users.get(g);
      if (!user) return;
      const where = single ? path : [...path, i];
      if (!OWNER_ROLES.includes(user.role)) errors.add(where, UserErrorCode.INVALID, `${user.name} is ${user.role}: customers are owned by sales reps and managers.`);
      else if (ids.includes(user.id)) errors.add(where, UserErrorCode.INVALID, `${user.name} is named twice.`);
      else ids.push(user.id);
    });
    return errors.any ? null : ids;
  }

  /** The conditions given (trimmed, unique); lifecycle stages must exist. */
  private async validate(m: EntityManager, errors: UserErrors, input: AssignmentRuleFields): Promise<Partial<AssignmentRule>> {
    const out: Partial<AssignmentRule> = {};
    const unique = <T>(xs: T[]) => [...new Set(xs)];
    for (const key of ['kinds', 'personalities', 'segments', 'valueTiers'] as const) {
      const value = input[key];
      if (value === undefined) continue;
      (out as Record<string, unknown>)[key] = unique<string>(value ?? []);
    }
    if (input.regions !== undefined) {
      const regions: string[] = [];
      (input.regions ?? []).forEach((r, i) => {
        const region = optionalText(errors, [...at('regions'), i], r, 100);
        if (region) regions.push(region);
      });
      out.regions = unique(regions);
    }
    if (input.lifecycleStages !== undefined) {
      // Keys are checked as text first (length, NUL): only then are they looked up.
      const keys = unique((input.lifecycleStages ?? []).flatMap((k, i) => catalogKey(errors, [...at('lifecycleStages'), i], k) ?? []));
      const known: Array<{ key: string }> = keys.length ? await m.query(`SELECT key FROM lifecycle_stages WHERE key = ANY($1::text[])`, [keys]) : [];
      const found = new Set(known.map((k) => k.key));
      keys.forEach((k) => {
        if (!found.has(k)) errors.add(at('lifecycleStages'), UserErrorCode.NOT_FOUND, `No lifecycle stage with key "${k.slice(0, 60)}".`);
      });
      out.lifecycleStages = keys;
    }
    for (const key of ['regions', 'kinds', 'personalities', 'lifecycleStages', 'segments', 'valueTiers'] as const) {
      const list = out[key] as unknown[] | undefined;
      if (list && list.length > 100) errors.add(at(key), UserErrorCode.TOO_MANY, 'At most 100 values.');
    }
    return out;
  }
}

function emptyConditions(): Partial<AssignmentRule> {
  return { regions: [], kinds: [], personalities: [], lifecycleStages: [], segments: [], valueTiers: [] };
}

function emptyRun(dryRun: boolean, errors: UserErrors): AssignmentRunPayload {
  return { dryRun, evaluated: 0, changed: 0, unmatched: 0, byRule: [], byOwner: [], changes: [], userErrors: errors.list };
}
