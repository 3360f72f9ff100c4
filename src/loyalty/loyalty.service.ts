import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { divideToMinor, isDecimal, parseAmount, formatAmount } from '../common/money';
import { moneyOfUnits } from '../common/money.types';
import { findInScope } from '../common/scoped';
import { optionalText, requiredText } from '../common/validate';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { PURCHASE_STATUSES } from '../order/order.entity';
import { LoyaltyAccount, LoyaltyProgram, LoyaltyTier, PointsTransaction, PointsTransactionKind } from './loyalty.entity';
import { expiringSoonByAccount, pointsTransactionList } from './loyalty.loaders';
import {
  AdjustPointsInput,
  EnrollInLoyaltyInput,
  LoyaltyAccountPayload,
  LoyaltyGroupStats,
  LoyaltyProgramPayload,
  LoyaltyStats,
  MAX_EARN_RATE,
  MAX_POINTS,
  MAX_TIERS,
  PointsTransactionPayload,
  RedeemPointsInput,
  UpdateLoyaltyProgramInput,
} from './loyalty.types';

type Path = Array<string | number>;
const at = (field: string): Path => ['input', field];

const accountPayload = (account: LoyaltyAccount | null, errors: UserErrors): LoyaltyAccountPayload => ({ account: errors.any ? null : account, userErrors: errors.list });
const transactionPayload = (transaction: PointsTransaction | null, account: LoyaltyAccount | null, errors: UserErrors): PointsTransactionPayload =>
  errors.any ? { transaction: null, account: null, userErrors: errors.list } : { transaction, account, userErrors: [] };

function wholePoints(errors: UserErrors, path: Path, value: number, min: number): number | undefined {
  if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_POINTS || value < min) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, `Must be a whole number from ${min.toLocaleString('en-US')} to ${MAX_POINTS.toLocaleString('en-US')}.`);
    return undefined;
  }
  return value;
}

export class LoyaltyService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The active programme. */
  async program(): Promise<LoyaltyProgram | null> {
    this.deps.access.require('loyalty:read');
    return this.deps.db.getRepository(LoyaltyProgram).findOneBy({ active: true });
  }

  /** A programme's tiers, lowest first (cached for the request). */
  tiers(programId: string): Promise<LoyaltyTier[]> {
    this.deps.access.require('loyalty:read');
    return this.deps.loaders
      .memo('loyaltyTiers', () =>
        new DataLoader<string, LoyaltyTier[]>(async (ids) => {
          const rows = await this.deps.db.getRepository(LoyaltyTier).createQueryBuilder('t').where('t.program_id = ANY(:ids::uuid[])', { ids: [...ids] }).orderBy('t.threshold', 'ASC').getMany();
          return ids.map((id) => rows.filter((t) => t.programId === id));
        }),
      )
      .load(programId);
  }

  /** The tier a member's lifetime points reach. */
  async tierOf(account: LoyaltyAccount): Promise<LoyaltyTier | null> {
    const tiers = await this.tiers(account.programId);
    return tiers.filter((t) => t.threshold <= account.lifetimePoints).pop() ?? null;
  }

  /** The next tier up, if any. */
  async nextTierOf(account: LoyaltyAccount): Promise<LoyaltyTier | null> {
    const tiers = await this.tiers(account.programId);
    return tiers.find((t) => t.threshold > account.lifetimePoints) ?? null;
  }

  /** A customer's membership, batched across customers; null when not enrolled or outside the caller's scope. */
  accountOf(customerId: string): Promise<LoyaltyAccount | null> {
    const { condition } = this.deps.loaders.scopeOf(LoyaltyAccount);
    return this.deps.loaders
      .memo('loyaltyAccountByCustomer', () =>
        new DataLoader<string, LoyaltyAccount | null>(async (ids) => {
          const qb = this.deps.db.getRepository(LoyaltyAccount).createQueryBuilder('a').where('a.customer_id = ANY(:ids::uuid[])', { ids: [...ids] });
          if (condition) qb.andWhere(condition);
          const rows = await qb.getMany();
          const byCustomer = new Map(rows.map((r) => [r.customerId, r]));
          return ids.map((id) => byCustomer.get(id) ?? null);
        }),
      )
      .load(customerId);
  }

  /** Points that will expire within `days` of `asOf` unless spent first (the expiry job's FIFO rule). */
  /** Batched across the accounts of a page (expiringSoonByAccount). */
  expiringSoon(account: LoyaltyAccount, days: number, asOf: Date | null): Promise<number> {
    return expiringSoonByAccount(this.deps.loaders, days, asOf).load(account.id);
  }

  transactions(accountId: string, args: ListArgs): Promise<Connection<PointsTransaction>> {
    return this.deps.loaders.pageByParent(pointsTransactionList, 'account_id', args).load(accountId);
  }

  /**
   * Enrols a customer; enrolling a member again returns their account unchanged. Orders placed from the enrolment on
   * earn points; earlier orders do not (no retroactive earning: a programme rewards what it may have caused).
   */
  async enroll(input: EnrollInLoyaltyInput): Promise<LoyaltyAccountPayload> {
    this.deps.access.require('loyalty:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const customer = await this.customerInBook(m, errors, input.customerId);
      if (!customer) return accountPayload(null, errors);
      const [program] = await m.query(`SELECT id FROM loyalty_programs WHERE active`);
      if (!program) {
        errors.add(at('customerId'), UserErrorCode.INVALID, 'There is no active loyalty programme.');
        return accountPayload(null, errors);
      }
      const inserted: Array<{ id: string }> = await m.query(
        `INSERT INTO loyalty_accounts (customer_id, program_id) VALUES ($1, $2) ON CONFLICT (customer_id) DO NOTHING RETURNING id`,
        [customer.id, program.id],
      );
      const account = await m.getRepository(LoyaltyAccount).findOneByOrFail({ customerId: customer.id });
      if (inserted.length) {
        await recordAudit(m, this.deps, { action: 'loyalty.enroll', objectType: 'LoyaltyAccount', objectId: account.id, after: { customerId: customer.id, enrolledAt: account.enrolledAt } });
      }
      return accountPayload(account, errors);
    });
  }

  /** Spends points: refused beyond the balance; a repeated idempotency key returns the first redemption. */
  async redeem(input: RedeemPointsInput): Promise<PointsTransactionPayload> {
    this.deps.access.require('loyalty:write');
    const errors = new UserErrors();
    const points = wholePoints(errors, at('points'), input.points, 1);
    const reason = requiredText(errors, at('reason'), input.reason, 500);
    const key = requiredText(errors, at('idempotencyKey'), input.idempotencyKey, 255);
    return this.ledgerWrite(errors, input.customerId, key, PointsTransactionKind.REDEEM, points === undefined ? undefined : -points, reason, 'loyalty.redeem');
  }

  /** A manager's correction, either way; not below a zero balance. */
  async adjust(input: AdjustPointsInput): Promise<PointsTransactionPayload> {
    this.deps.access.require('loyalty:adjust');
    const errors = new UserErrors();
    let points = wholePoints(errors, at('points'), input.points, -MAX_POINTS);
    if (points === 0) {
      errors.add(at('points'), UserErrorCode.OUT_OF_RANGE, 'Must not be zero.');
      points = undefined;
    }
    const reason = requiredText(errors, at('reason'), input.reason, 500);
    const key = input.idempotencyKey == null ? null : requiredText(errors, at('idempotencyKey'), input.idempotencyKey, 255);
    return this.ledgerWrite(errors, input.customerId, key, PointsTransactionKind.ADJUST, points, reason, 'loyalty.adjust');
  }

  /**
   * One REDEEM or ADJUST line, in one transaction with the account locked: concurrent writes to an account take turns,
   * so the balance they check is the one they change, and a key is looked up after the line written with it committed.
   */
  private async ledgerWrite(
    errors: UserErrors,
    customerGlobalId: string,
    key: string | null | undefined,
    kind: PointsTransactionKind,
    points: number | undefined,
    reason: string | undefined,
    action: string,
  ): Promise<PointsTransactionPayload> {
    return this.deps.db.transaction(async (m) => {
      const customer = await this.customerInBook(m, errors, customerGlobalId);
      if (!customer || errors.any || points === undefined || !reason || key === undefined) return transactionPayload(null, null, errors);
      const account = await m.getRepository(LoyaltyAccount).createQueryBuilder('a').where('a.customer_id = :id', { id: customer.id }).setLock('pessimistic_write').getOne();
      if (!account) {
        errors.add(at('customerId'), UserErrorCode.NOT_ENROLLED, 'The customer is not a member of the loyalty programme.');
        return transactionPayload(null, null, errors);
      }
      const ledger = m.getRepository(PointsTransaction);
      if (key) {
        const earlier = await ledger.findOneBy({ accountId: account.id, idempotencyKey: key });
        if (earlier) {
          if (earlier.kind === kind && earlier.points === points && earlier.reason === reason) return transactionPayload(earlier, account, errors);
          errors.add(at('idempotencyKey'), UserErrorCode.TAKEN, 'This key was already used for a different redemption or adjustment of this member.');
          return transactionPayload(null, null, errors);
        }
      }
      if (points < 0 && account.balance + points < 0) {
        errors.add(at('points'), UserErrorCode.INSUFFICIENT_POINTS, `The balance is ${account.balance.toLocaleString('en-US')} points.`);
        return transactionPayload(null, null, errors);
      }
      // Points added by hand are a credit like any other: they expire on the programme's terms.
      const [written]: Array<{ id: string }> = await m.query(
        `INSERT INTO points_transactions (account_id, customer_id, kind, points, at, expires_at, reason, idempotency_key, actor_label)
         SELECT $1::uuid, $2::uuid, $3, $4::bigint, now(), CASE WHEN $4::bigint > 0 THEN now() + make_interval(months => p.expiry_months) END, $5, $6, $7
           FROM loyalty_programs p WHERE p.id = $8
         RETURNING id`,
        [account.id, customer.id, kind, points, reason, key, this.deps.actor.label, account.programId],
      );
      const after = await m.getRepository(LoyaltyAccount).findOneByOrFail({ id: account.id });
      await recordAudit(m, this.deps, {
        action,
        objectType: 'LoyaltyAccount',
        objectId: account.id,
        before: { balance: account.balance },
        after: { balance: after.balance, points, reason, transactionId: written.id },
      });
      return transactionPayload(await ledger.findOneByOrFail({ id: written.id }), after, errors);
    });
  }

  async updateProgram(input: UpdateLoyaltyProgramInput): Promise<LoyaltyProgramPayload> {
    this.deps.access.require('loyalty:configure');
    const errors = new UserErrors();
    const fail = (): LoyaltyProgramPayload => ({ program: null, userErrors: errors.list });
    const changes: Partial<LoyaltyProgram> = {};
    if (input.name !== undefined) {
      const name = requiredText(errors, at('name'), input.name ?? '', 100);
      if (name) changes.name = name;
    }
    if (input.earnBasis != null) changes.earnBasis = input.earnBasis;
    if (input.earnRate != null) {
      const rate = input.earnRate.trim();
      if (!isDecimal(rate) || parseAmount(rate) < 0n || parseAmount(rate) > parseAmount(MAX_EARN_RATE)) {
        errors.add(at('earnRate'), UserErrorCode.OUT_OF_RANGE, `Must be from 0 to ${MAX_EARN_RATE}, at most 4 decimals.`);
      } else changes.earnRate = formatAmount(parseAmount(rate));
    }
    if (input.neverExpire && input.expiryMonths != null) errors.add(at('expiryMonths'), UserErrorCode.INVALID, 'Give expiryMonths or neverExpire, not both.');
    else if (input.neverExpire) changes.expiryMonths = null;
    else if (input.expiryMonths != null) {
      if (!Number.isInteger(input.expiryMonths) || input.expiryMonths < 1 || input.expiryMonths > 120) errors.add(at('expiryMonths'), UserErrorCode.OUT_OF_RANGE, 'Must be from 1 to 120 months.');
      else changes.expiryMonths = input.expiryMonths;
    }
    if (input.referralBonusPoints != null) {
      const bonus = wholePoints(errors, at('referralBonusPoints'), input.referralBonusPoints, 0);
      if (bonus !== undefined) changes.referralBonusPoints = bonus;
    }
    const tiers = input.tiers == null ? undefined : this.validTiers(errors, input.tiers);
    if (errors.any) return fail();
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(LoyaltyProgram);
      const current = await repo.createQueryBuilder('p').where('p.active').setLock('pessimistic_write').getOne();
      if (!current) {
        errors.add(['input'], UserErrorCode.NOT_FOUND, 'There is no active loyalty programme.');
        return fail();
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The programme changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
        return fail();
      }
      const tiersBefore = await m.getRepository(LoyaltyTier).find({ where: { programId: current.id }, order: { threshold: 'ASC' } });
      await repo.update({ id: current.id }, { ...changes, version: current.version + 1 });
      if (tiers) {
        await m.query(`DELETE FROM loyalty_tiers WHERE program_id = $1`, [current.id]);
        await m.query(
          `INSERT INTO loyalty_tiers (program_id, name, threshold, benefits) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[])`,
          [current.id, tiers.map((t) => t.name), tiers.map((t) => t.threshold), tiers.map((t) => t.benefits)],
        );
      }
      const updated = await repo.findOneByOrFail({ id: current.id });
      const plainTiers = (list: Array<{ name: string; threshold: number; benefits: string | null }>) => list.map(({ name, threshold, benefits }) => ({ name, threshold, benefits }));
      await recordAudit(m, this.deps, {
        action: 'loyaltyProgram.update',
        objectType: 'LoyaltyProgram',
        objectId: current.id,
        before: { ...current, tiers: plainTiers(tiersBefore) },
        after: { ...updated, tiers: plainTiers(tiers ?? tiersBefore) },
      });
      return { program: updated, userErrors: [] };
    });
  }

  private validTiers(errors: UserErrors, list: UpdateLoyaltyProgramInput['tiers'] & object): Array<{ name: string; threshold: number; benefits: string | null }> | undefined {
    if (!list.length || list.length > MAX_TIERS) {
      errors.add(at('tiers'), UserErrorCode.OUT_OF_RANGE, `Give from 1 to ${MAX_TIERS} tiers.`);
      return undefined;
    }
    const before = errors.list.length;
    const tiers = list.map((t, i) => ({
      name: requiredText(errors, ['input', 'tiers', i, 'name'], t.name, 50) ?? '',
      threshold: wholePoints(errors, ['input', 'tiers', i, 'threshold'], t.threshold, 0) ?? 0,
      benefits: optionalText(errors, ['input', 'tiers', i, 'benefits'], t.benefits ?? null, 1_000) ?? null,
    }));
    const names = new Set<string>();
    const thresholds = new Set<number>();
    tiers.forEach((t, i) => {
      if (names.has(t.name.toLowerCase())) errors.add(['input', 'tiers', i, 'name'], UserErrorCode.TAKEN, 'Another tier has this name.');
      if (thresholds.has(t.threshold)) errors.add(['input', 'tiers', i, 'threshold'], UserErrorCode.TAKEN, 'Another tier starts at this threshold.');
      names.add(t.name.toLowerCase());
      thresholds.add(t.threshold);
    });
    if (!thresholds.has(0)) errors.add(at('tiers'), UserErrorCode.INVALID, 'One tier must start at 0, so that every member is in a tier.');
    return errors.list.length > before ? undefined : tiers.sort((a, b) => a.threshold - b.threshold);
  }

  /**
   * Members (enrolled by asOf) against the other live customers of the caller's view: purchases up to asOf, per buyer
   * and per purchase, retention (a second purchase within `retentionDays` of the first, judged on buyers whose first
   * purchase is at least that long before asOf), and the mean stored predicted CLV. One statement.
   */
  async stats(asOf: Date, retentionDays: number): Promise<LoyaltyStats> {
    this.deps.access.require('loyalty:read');
    this.deps.access.require('customers:read');
    this.deps.access.require('orders:read');
    const currency = this.deps.config.baseCurrency;
    const rows: Array<Record<string, string | null>> = await this.deps.db.query(
      `WITH cust AS (
         SELECT c.id, EXISTS (SELECT 1 FROM loyalty_accounts a WHERE a.customer_id = c.id AND a.enrolled_at <= $1) AS member
           FROM customers c WHERE c.deleted_at IS NULL AND ${this.deps.access.customerCondition('c')}
       ), per AS (
         SELECT o.customer_id, count(*) AS n, sum(o.total_base) AS revenue,
                (array_agg(o.placed_at ORDER BY o.placed_at, o.id))[1] AS first, (array_agg(o.placed_at ORDER BY o.placed_at, o.id))[2] AS second
           FROM orders o JOIN cust ON cust.id = o.customer_id
          WHERE o.status = ANY($3::text[]) AND o.deleted_at IS NULL AND o.placed_at <= $1
          GROUP BY o.customer_id
       )
       SELECT cust.member, count(*)::int AS customers, count(per.customer_id)::int AS buyers, coalesce(sum(per.n), 0)::int AS orders,
              coalesce(sum(per.revenue), 0)::text AS revenue,
              count(*) FILTER (WHERE per.first <= $1 - make_interval(days => $2))::int AS cohort,
              count(*) FILTER (WHERE per.first <= $1 - make_interval(days => $2) AND per.second <= per.first + make_interval(days => $2))::int AS retained,
              round(coalesce(sum(s.predicted_clv), 0), 4)::text AS clv, count(s.predicted_clv)::int AS predicted
         FROM cust LEFT JOIN per ON per.customer_id = cust.id LEFT JOIN customer_scores s ON s.customer_id = cust.id
        GROUP BY cust.member`,
      [asOf, retentionDays, PURCHASE_STATUSES],
    );
    const group = (member: boolean): LoyaltyGroupStats => {
      const r = rows.find((x) => (x.member as unknown as boolean) === member);
      const n = (k: string) => Number(r?.[k] ?? 0);
      const buyers = n('buyers');
      const orders = n('orders');
      const cohort = n('cohort');
      const predicted = n('predicted');
      return Object.assign(new LoyaltyGroupStats(), {
        customers: n('customers'),
        buyers,
        orders,
        purchaseFrequency: buyers ? Math.round((orders / buyers) * 100) / 100 : null,
        averageOrderValue: orders ? moneyOfUnits(divideToMinor(parseAmount(r!.revenue!), BigInt(orders), currency), currency) : null,
        retentionCohort: cohort,
        retentionRate: cohort ? Math.round((n('retained') / cohort) * 10_000) / 10_000 : null,
        meanPredictedClv: predicted ? moneyOfUnits(divideToMinor(parseAmount(r!.clv!), BigInt(predicted), currency), currency) : null,
      });
    };
    return Object.assign(new LoyaltyStats(), { asOf, retentionDays, members: group(true), nonMembers: group(false) });
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
}

