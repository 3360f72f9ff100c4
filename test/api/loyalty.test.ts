import { Readable } from 'node:stream';
import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { importOrders } from '../../src/importer/order-import';
import { expireLoyaltyPoints } from '../../src/loyalty/loyalty.expiry';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * The loyalty programme through the API: enrolment, points earned with orders (recordOrder, recordOrders, the
 * importer), reversed with cancellations and refunds, referral bonuses, redemptions and adjustments (typed userErrors,
 * nothing written on refusal, idempotency keys), the programme's settings, the expiry job with a controlled asOf,
 * the balance equal to its ledger (a property test), loyaltyStats against hand-computed figures, a sales rep's scope
 * and the audit log.
 */

let app: TestApp;
let repA: GraphQLCaller;
let repB: GraphQLCaller;
let manager: GraphQLCaller;
let analyst: GraphQLCaller;
const users = { repA: '', repB: '', manager: '', analyst: '' };

const DAY = 86_400_000;
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const UE = 'userErrors { field code message }';
const ACCOUNT = 'id balance lifetimePoints enrolledAt tier { name threshold } nextTier { name }';
const ENROLL = `mutation($input: EnrollInLoyaltyInput!) { enrollInLoyalty(input: $input) { account { ${ACCOUNT} } ${UE} } }`;
const REDEEM = `mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { transaction { id kind points reason idempotencyKey } account { balance } ${UE} } }`;
const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { transaction { id kind points reason expiresAt } account { balance lifetimePoints } ${UE} } }`;
const UPDATE_PROGRAM = `mutation($input: UpdateLoyaltyProgramInput!) { updateLoyaltyProgram(input: $input) { program { id version name earnBasis earnRate expiryMonths referralBonusPoints tiers { name threshold benefits } } ${UE} } }`;
const RECORD = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id number } ${UE} } }`;
const STATUS = `mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) { order { id status } ${UE} } }`;
const LOYALTY = `query($id: ID!) { customer(id: $id) { loyalty { ${ACCOUNT} transactions(first: 50) { totalCount nodes { kind points order { id } referredCustomer { id } reverses { id kind } } } } } }`;

type Payload = { userErrors: Array<{ field: string[]; code: string; message: string }>; [k: string]: any };

async function call(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<Payload> {
  const data = await caller.ok(mutation, { input });
  return Object.values(data)[0] as Payload;
}
async function ok(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<Payload> {
  const p = await call(caller, mutation, input);
  expect(p.userErrors).toEqual([]);
  return p;
}
const codes = (p: Payload) => p.userErrors.map((e) => [e.field.join('.'), e.code]);

async function customer(name: string, owner = users.repA, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, {
    input: { name, ownerId: toGlobalId('User', owner), ...extra },
  });
  return data.createCustomer.customer.id;
}
async function enroll(customerId: string, caller: GraphQLCaller = app): Promise<any> {
  return (await ok(caller, ENROLL, { customerId })).account;
}
async function order(customerId: string, price: string, extra: Record<string, unknown> = {}): Promise<{ id: string; number: string }> {
  return (await ok(app, RECORD, { customerId, lines: [{ description: 'Beans', quantity: 1, unitPrice: price, unitCost: '0' }], ...extra })).order;
}
async function account(customerId: string): Promise<any> {
  return (await app.ok(LOYALTY, { id: customerId })).customer.loyalty;
}
/** The account's balance and lifetime points as stored, and the ledger's sums. */
async function ledgerCheck(customerId: string): Promise<{ balance: number; sum: number; lifetime: number; lifetimeSum: number }> {
  const [row] = await app.db.query(
    `SELECT a.balance::float8 AS balance, a.lifetime_points::float8 AS lifetime,
            coalesce((SELECT sum(points) FROM points_transactions p WHERE p.account_id = a.id), 0)::float8 AS sum,
            coalesce((SELECT sum(points) FROM points_transactions p WHERE p.account_id = a.id AND p.kind NOT IN ('REDEEM','EXPIRE')), 0)::float8 AS "lifetimeSum"
       FROM loyalty_accounts a WHERE a.customer_id = $1`,
    [uuid(customerId)],
  );
  return row;
}
async function ledgerFingerprint(): Promise<string> {
  const [row] = await app.db.query(`
    SELECT (SELECT count(*) FROM points_transactions) AS t, (SELECT count(*) || ':' || coalesce(sum(balance), 0) FROM loyalty_accounts) AS a,
           (SELECT count(*) || ':' || max(version) FROM loyalty_programs) AS p, (SELECT count(*) FROM loyalty_tiers) AS tiers, (SELECT count(*) FROM audit_events) AS audit`);
  return JSON.stringify(row);
}

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string, role: string) => insertStaff(app.db, name, role);
  users.repA = await user('Rita Rep', 'SALES_REP');
  users.repB = await user('Ben Rep', 'SALES_REP');
  users.manager = await user('Mona Manager', 'MANAGER');
  users.analyst = await user('Anil Analyst', 'ANALYST');
  repA = await app.as({ role: 'SALES_REP', userId: users.repA });
  repB = await app.as({ role: 'SALES_REP', userId: users.repB });
  manager = await app.as({ role: 'MANAGER', userId: users.manager });
  analyst = await app.as({ role: 'ANALYST', userId: users.analyst });
});

afterAll(() => app.close());

describe('the programme', () => {
  it('comes from the migration: a point per unit of revenue, two years of validity, a referral bonus and three tiers', async () => {
    const { loyaltyProgram } = await app.ok(`{ loyaltyProgram { id name earnBasis earnRate expiryMonths referralBonusPoints version tiers { name threshold benefits } } }`);
    expect(loyaltyProgram).toMatchObject({ name: 'Rapport Rewards', earnBasis: 'REVENUE', earnRate: '1.0000', expiryMonths: 24, referralBonusPoints: 500 });
    expect(loyaltyProgram.tiers.map((t: any) => [t.name, t.threshold])).toEqual([['Bronze', 0], ['Silver', 2000], ['Gold', 10000]]);
  });

  it('is changed by an admin, audited, and refuses bad settings without writing', async () => {
    const before = await ledgerFingerprint();
    const bad = await call(app, UPDATE_PROGRAM, { earnRate: '-1', expiryMonths: 0, referralBonusPoints: -5, name: ' ', tiers: [{ name: 'A', threshold: 10 }, { name: 'a', threshold: 10 }] });
    expect(codes(bad)).toEqual(
      expect.arrayContaining([
        ['input.name', 'REQUIRED'],
        ['input.earnRate', 'OUT_OF_RANGE'],
        ['input.expiryMonths', 'OUT_OF_RANGE'],
        ['input.referralBonusPoints', 'OUT_OF_RANGE'],
        ['input.tiers.1.name', 'TAKEN'],
        ['input.tiers.1.threshold', 'TAKEN'],
        ['input.tiers', 'INVALID'],
      ]),
    );
    const conflict = await call(app, UPDATE_PROGRAM, { expectedVersion: 99, name: 'X' });
    expect(codes(conflict)).toEqual([['input.expectedVersion', 'CONFLICT']]);
    expect(await ledgerFingerprint()).toBe(before);

    const { program } = await ok(app, UPDATE_PROGRAM, { expectedVersion: 1, name: 'Rewards', referralBonusPoints: 300, tiers: [{ name: 'Bronze', threshold: 0 }, { name: 'Silver', threshold: 200, benefits: 'Free shipping' }, { name: 'Gold', threshold: 1000 }] });
    expect(program).toMatchObject({ version: 2, name: 'Rewards', referralBonusPoints: 300 });
    expect(program.tiers.map((t: any) => t.threshold)).toEqual([0, 200, 1000]);
    const [audit] = await app.db.query(`SELECT changes FROM audit_events WHERE action = 'loyaltyProgram.update' ORDER BY at DESC LIMIT 1`);
    expect(audit.changes.name).toEqual({ before: 'Rapport Rewards', after: 'Rewards' });
    expect(audit.changes.tiers.after[1]).toEqual({ name: 'Silver', threshold: 200, benefits: 'Free shipping' });
  });

  it('is changed only by an admin: a manager, a rep and an analyst are FORBIDDEN', async () => {
    for (const caller of [manager, repA, analyst]) {
      const res = await caller.gql(UPDATE_PROGRAM, { input: { name: 'Nope' } });
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('enrolment', () => {
  it('enrols a customer once: enrolling again returns the same account, audited once', async () => {
    const c = await customer('Erin Enrol');
    const first = await enroll(c);
    expect(first).toMatchObject({ balance: 0, lifetimePoints: 0, tier: { name: 'Bronze' }, nextTier: { name: 'Silver' } });
    const again = await enroll(c);
    expect(again.id).toBe(first.id);
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'loyalty.enroll' AND object_id = $1`, [uuid(first.id)]);
    expect(n).toBe(1);
  });

  it('refuses a malformed or unknown customer, and a rep’s enrolment of another rep’s customer is NOT_FOUND', async () => {
    const theirs = await customer('Bea of B', users.repB);
    const before = await ledgerFingerprint();
    expect(codes(await call(app, ENROLL, { customerId: 'nope' }))).toEqual([['input.customerId', 'INVALID_ID']]);
    expect(codes(await call(app, ENROLL, { customerId: toGlobalId('Customer', '00000000-0000-0000-0000-000000000000') }))).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(codes(await call(repA, ENROLL, { customerId: theirs }))).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(await ledgerFingerprint()).toBe(before);
    expect((await call(repB, ENROLL, { customerId: theirs })).userErrors).toEqual([]);
  });

  it('leaves Customer.loyalty null for a customer who is not enrolled', async () => {
    const c = await customer('Nora Nonmember');
    expect(await account(c)).toBeNull();
  });
});

describe('earning', () => {
  it('recordOrder earns floor(total × rate) for a member in the same transaction; a non-member earns nothing', async () => {
    const member = await customer('Mia Member');
    const other = await customer('Otto Other');
    await enroll(member);
    const o = await order(member, '149.99');
    await order(other, '80.00');
    const acc = await account(member);
    expect(acc).toMatchObject({ balance: 149, lifetimePoints: 149 });
    expect(acc.transactions.nodes).toEqual([{ kind: 'EARN', points: 149, order: { id: o.id }, referredCustomer: null, reverses: null }]);
    expect(await account(other)).toBeNull();
    expect(await ledgerCheck(member)).toEqual({ balance: 149, sum: 149, lifetime: 149, lifetimeSum: 149 });
  });

  it('does not earn for orders placed before the enrolment (no retroactive earning)', async () => {
    const c = await customer('Paula Past');
    await enroll(c);
    await order(c, '50.00', { placedAt: new Date(Date.now() - 10 * DAY).toISOString() });
    expect((await account(c)).balance).toBe(0);
  });

  it('recordOrders earns for every member’s order of the batch, in one transaction', async () => {
    const a = await customer('Bulk A');
    const b = await customer('Bulk B');
    await enroll(a);
    await enroll(b);
    const line = (price: string) => [{ description: 'Tea', quantity: 2, unitPrice: price }];
    await ok(app, `mutation($input: RecordOrdersInput!) { recordOrders(input: $input) { orders { id } ${UE} } }`, {
      orders: [{ customerId: a, lines: line('10.50') }, { customerId: a, lines: line('3.20') }, { customerId: b, lines: line('0.40') }],
    });
    expect((await account(a)).balance).toBe(21 + 6);
    // 0.80 earns nothing: no line for zero points.
    expect((await account(b)).transactions.totalCount).toBe(0);
  });

  it('counts margin instead of revenue when the programme says so, at a fractional rate', async () => {
    const c = await customer('Marge Margin');
    await enroll(c);
    await ok(app, UPDATE_PROGRAM, { earnBasis: 'MARGIN', earnRate: '2.5' });
    try {
      await ok(app, RECORD, { customerId: c, lines: [{ description: 'Grinder', quantity: 1, unitPrice: '100.00', unitCost: '60.10' }] });
      // (100.00 − 60.10) × 2.5 = 99.75 → 99
      expect((await account(c)).balance).toBe(99);
    } finally {
      await ok(app, UPDATE_PROGRAM, { earnBasis: 'REVENUE', earnRate: '1' });
    }
  });

  it('the order import earns for members, one statement per batch, and not for cancelled rows', async () => {
    await app.db.query(`INSERT INTO customers (kind, name, external_ref, lifecycle_stage_id) SELECT 'PERSON', 'Imported Ivy', 'imp-ivy', id FROM lifecycle_stages WHERE key = 'ONBOARDING'`);
    const [{ id }] = await app.db.query(`SELECT id FROM customers WHERE external_ref = 'imp-ivy'`);
    const ivy = toGlobalId('Customer', id);
    await enroll(ivy);
    const now = new Date().toISOString();
    const csv = Readable.from([['customer_ref,order_ref,placed_at,total,status', `imp-ivy,IMP-1,${now},120.75,PAID`, `imp-ivy,IMP-2,${now},30,CANCELLED`, `imp-new,IMP-3,${now},500,PAID`].join('\n') + '\n']);
    const result = await importOrders(app.db, csv, app.config);
    expect(result).toMatchObject({ ok: true, imported: 3 });
    const acc = await account(ivy);
    expect(acc.balance).toBe(120);
    expect(acc.transactions.nodes.map((t: any) => t.kind)).toEqual(['EARN']);
  });

  it('the order import earns for a member and pays a referrer after chunks of only customers it creates, as recordOrder does', async () => {
    // The first 20,000-row chunk holds only customers the import creates (it skips earning for those); the second the
    // member, and a customer referred by a member whose first purchase it is.
    const member = await customer('Imported Mo', users.repA, { externalRef: 'imp-mo' });
    await enroll(member);
    const referrer = await customer('Imported Referrer');
    await enroll(referrer);
    await customer('Imported Referred', users.repA, { externalRef: 'imp-referred', referredById: referrer });
    const twin = await customer('Recorded Mo');
    await enroll(twin);
    // After the enrolments: a member earns for orders placed since.
    const at = new Date().toISOString();
    const lines = ['customer_ref,placed_at,total'];
    for (let i = 0; i < 20_000; i++) lines.push(`imp-fresh-${i % 50},${at},1.00`);
    lines.push(`imp-mo,${at},42.50`, `imp-fresh-1,${at},9.00`, `imp-referred,${at},10.00`);
    const result = await importOrders(app.db, Readable.from([lines.join('\n') + '\n']), app.config);
    expect(result).toMatchObject({ ok: true, imported: 20_003, createdCustomers: 50 });

    // The same as for the same order through recordOrder.
    await ok(app, RECORD, { customerId: twin, placedAt: at, lines: [{ description: 'Same', quantity: 1, unitPrice: '42.50', unitCost: '0' }] });
    const earned = (c: any) => c.transactions.nodes.map((t: any) => ({ kind: t.kind, points: t.points }));
    expect(earned(await account(member))).toEqual(earned(await account(twin)));
    expect(earned(await account(member))).toEqual([{ kind: 'EARN', points: 42 }]);
    expect(earned(await account(referrer))).toEqual([{ kind: 'REFERRAL_BONUS', points: 300 }]);
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM points_transactions t JOIN customers c ON c.id = t.customer_id WHERE c.external_ref LIKE 'imp-fresh-%'`);
    expect(n).toBe(0);
  });
});

describe('reversal', () => {
  it.each(['CANCELLED', 'REFUNDED'])('an order %s takes its points back in the same transaction, once', async (status) => {
    const c = await customer(`Rev ${status}`);
    await enroll(c);
    const keep = await order(c, '40.00');
    const o = await order(c, '25.00', { status: 'PAID' });
    expect((await account(c)).balance).toBe(65);
    await ok(app, STATUS, { id: o.id, status });
    const acc = await account(c);
    expect(acc).toMatchObject({ balance: 40, lifetimePoints: 40 });
    const reversal = acc.transactions.nodes.find((t: any) => t.kind === 'REVERSAL');
    expect(reversal).toMatchObject({ points: -25, order: { id: o.id }, reverses: { kind: 'EARN' } });
    expect(keep).toBeDefined();
    expect(await ledgerCheck(c)).toMatchObject({ balance: 40, sum: 40 });
  });

  it('takes back points already spent: the balance goes negative until later purchases make it good', async () => {
    const c = await customer('Rev Spent');
    await enroll(c);
    const o = await order(c, '100.00');
    await ok(app, REDEEM, { customerId: c, points: 100, reason: 'Voucher', idempotencyKey: 'rev-spent-1' });
    await ok(app, STATUS, { id: o.id, status: 'REFUNDED' });
    expect((await account(c)).balance).toBe(-100);
  });
});

describe('referral bonus', () => {
  it('pays the enrolled referrer once, on the referred customer’s first purchase, and reverses with that order', async () => {
    const referrer = await customer('Ray Referrer');
    await enroll(referrer);
    const referred = await customer('Rhea Referred', users.repA, { referredById: referrer });
    const first = await order(referred, '10.00');
    await order(referred, '20.00');
    let acc = await account(referrer);
    expect(acc.transactions.nodes).toEqual([{ kind: 'REFERRAL_BONUS', points: 300, order: { id: first.id }, referredCustomer: { id: referred }, reverses: null }]);
    // The referred customer is not a member: they earn nothing themselves.
    expect(await account(referred)).toBeNull();
    await ok(app, STATUS, { id: first.id, status: 'CANCELLED' });
    acc = await account(referrer);
    expect(acc.balance).toBe(0);
    // Once: another first purchase cannot pay it again.
    await order(referred, '5.00');
    expect((await account(referrer)).transactions.totalCount).toBe(2);
  });

  it('pays nothing when the referrer is not enrolled', async () => {
    const referrer = await customer('Nell Nonmember');
    const referred = await customer('Ned Referred', users.repA, { referredById: referrer });
    await order(referred, '10.00');
    await enroll(referrer);
    await order(referred, '10.00');
    expect((await account(referrer)).transactions.totalCount).toBe(0);
  });
});

describe('redeeming', () => {
  let c = '';
  beforeAll(async () => {
    c = await customer('Rosa Redeemer');
    await enroll(c);
    await order(c, '300.00');
  });

  it('spends points, and refuses beyond the balance with INSUFFICIENT_POINTS, writing nothing', async () => {
    const before = await ledgerFingerprint();
    const refused = await call(app, REDEEM, { customerId: c, points: 301, reason: 'Too much', idempotencyKey: 'r-0' });
    expect(codes(refused)).toEqual([['input.points', 'INSUFFICIENT_POINTS']]);
    expect(await ledgerFingerprint()).toBe(before);
    const done = await ok(app, REDEEM, { customerId: c, points: 120, reason: 'Voucher 12 USD', idempotencyKey: 'r-1' });
    expect(done.transaction).toMatchObject({ kind: 'REDEEM', points: -120, reason: 'Voucher 12 USD', idempotencyKey: 'r-1' });
    expect(done.account.balance).toBe(180);
  });

  it('is idempotent on the key: a retry returns the first redemption; the key for something else is TAKEN', async () => {
    const first = await ok(app, REDEEM, { customerId: c, points: 30, reason: 'Mug', idempotencyKey: 'r-2' });
    const retry = await ok(app, REDEEM, { customerId: c, points: 30, reason: 'Mug', idempotencyKey: 'r-2' });
    expect(retry.transaction.id).toBe(first.transaction.id);
    expect(retry.account.balance).toBe(150);
    const reused = await call(app, REDEEM, { customerId: c, points: 31, reason: 'Mug', idempotencyKey: 'r-2' });
    expect(codes(reused)).toEqual([['input.idempotencyKey', 'TAKEN']]);
    // Concurrent retries with one key spend once.
    const racing = await Promise.all([1, 2, 3].map(() => call(app, REDEEM, { customerId: c, points: 10, reason: 'Race', idempotencyKey: 'r-race' })));
    expect(new Set(racing.map((p) => p.transaction.id)).size).toBe(1);
    expect((await account(c)).balance).toBe(140);
  });

  it('refuses bad input and non-members', async () => {
    const bad = await call(app, REDEEM, { customerId: c, points: 0, reason: ' ', idempotencyKey: '' });
    expect(codes(bad)).toEqual([['input.points', 'OUT_OF_RANGE'], ['input.reason', 'REQUIRED'], ['input.idempotencyKey', 'REQUIRED']]);
    const stranger = await customer('Sam Stranger');
    expect(codes(await call(app, REDEEM, { customerId: stranger, points: 1, reason: 'x', idempotencyKey: 'k' }))).toEqual([['input.customerId', 'NOT_ENROLLED']]);
  });

  it('concurrent redemptions never overdraw the balance', async () => {
    const d = await customer('Dora Double');
    await enroll(d);
    await order(d, '100.00');
    const tries = await Promise.all([1, 2, 3, 4].map((i) => call(app, REDEEM, { customerId: d, points: 40, reason: 'Race', idempotencyKey: `race-${i}` })));
    expect(tries.filter((p) => !p.userErrors.length)).toHaveLength(2);
    expect((await account(d)).balance).toBe(20);
  });
});

describe('adjusting', () => {
  it('lets a manager correct either way with a reason, audited; not below zero; rep and analyst are FORBIDDEN', async () => {
    const c = await customer('Adam Adjusted');
    await enroll(c);
    const up = await ok(manager, ADJUST, { customerId: c, points: 250, reason: 'Goodwill after a late delivery' });
    expect(up.transaction).toMatchObject({ kind: 'ADJUST', points: 250 });
    expect(up.transaction.expiresAt).not.toBeNull();
    expect(up.account).toMatchObject({ balance: 250, lifetimePoints: 250 });
    const down = await ok(app, ADJUST, { customerId: c, points: -50, reason: 'Double-counted voucher' });
    expect(down.account.balance).toBe(200);
    const before = await ledgerFingerprint();
    expect(codes(await call(manager, ADJUST, { customerId: c, points: -201, reason: 'Too much' }))).toEqual([['input.points', 'INSUFFICIENT_POINTS']]);
    expect(codes(await call(manager, ADJUST, { customerId: c, points: 0, reason: '' }))).toEqual([['input.points', 'OUT_OF_RANGE'], ['input.reason', 'REQUIRED']]);
    for (const caller of [repA, analyst]) {
      const res = await caller.gql(ADJUST, { input: { customerId: c, points: 1, reason: 'x' } });
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await ledgerFingerprint()).toBe(before);
    const audit = await app.db.query(`SELECT changes, actor_role FROM audit_events WHERE action = 'loyalty.adjust' AND object_id = (SELECT id FROM loyalty_accounts WHERE customer_id = $1) ORDER BY at`, [uuid(c)]);
    expect(audit.map((a: any) => [a.actor_role, a.changes.balance])).toEqual([
      ['MANAGER', { before: 0, after: 250 }],
      ['ADMIN', { before: 250, after: 200 }],
    ]);
  });
});

describe('expiry', () => {
  const MONTH = 30.5 * DAY;
  it('writes off points past their expiry, oldest first against what was spent, once, as of a controlled date', async () => {
    const c = await customer('Evan Expiring');
    const acc = await enroll(c);
    const t0 = Date.now() - 30 * MONTH;
    await app.db.query(`UPDATE loyalty_accounts SET enrolled_at = $2 WHERE id = $1`, [uuid(acc.id), new Date(t0 - DAY)]);
    await order(c, '100.00', { placedAt: new Date(t0).toISOString() }); // expires t0 + 24 months
    await order(c, '50.00', { placedAt: new Date(t0 + 3 * MONTH).toISOString() }); // expires t0 + 27 months
    await ok(app, REDEEM, { customerId: c, points: 30, reason: 'Voucher', idempotencyKey: 'e-1' });
    // Before anything expires: nothing.
    expect(await expireLoyaltyPoints(app.db, new Date(t0 + 23 * MONTH))).toEqual([]);
    // The first 100 expire, less the 30 spent (spending used the oldest points first).
    const at1 = new Date(t0 + 25 * MONTH);
    const soon = await app.ok(`query($id: ID!, $asOf: DateTime) { customer(id: $id) { loyalty { pointsExpiringSoon(days: 60, asOf: $asOf) } } }`, { id: c, asOf: new Date(t0 + 23 * MONTH).toISOString() });
    expect(soon.customer.loyalty.pointsExpiringSoon).toBe(70);
    expect((await expireLoyaltyPoints(app.db, at1)).map((e) => e.points)).toEqual([70]);
    // The worker's write is an event, like any other change to the account.
    const expiredEvents = await app.db.query(`SELECT type, changed_fields, actor_kind FROM domain_events WHERE object_id = $1 AND type = 'loyalty.pointsExpired'`, [uuid(acc.id)]);
    expect(expiredEvents).toEqual([{ type: 'loyalty.pointsExpired', changed_fields: ['points', 'reason'], actor_kind: 'system' }]);
    // Idempotent: again at the same date, or earlier, nothing.
    expect(await expireLoyaltyPoints(app.db, at1)).toEqual([]);
    expect(await expireLoyaltyPoints(app.db, new Date(t0 + 24.5 * MONTH))).toEqual([]);
    expect((await account(c)).balance).toBe(50);
    // Then the 50.
    expect((await expireLoyaltyPoints(app.db, new Date(t0 + 28 * MONTH))).map((e) => e.points)).toEqual([50]);
    const after = await account(c);
    expect(after).toMatchObject({ balance: 0, lifetimePoints: 150 });
    expect(await ledgerCheck(c)).toMatchObject({ balance: 0, sum: 0 });
  });

  it('reads a page of members with their balance and points expiring soon in a fixed number of statements, whatever its size', async () => {
    for (const [i, price] of ['10.00', '20.00', '30.00', '40.00'].entries()) {
      const c = await customer(`Page member ${i}`, users.repA, { tags: ['expiring-page'] });
      await enroll(c);
      await order(c, price);
    }
    const q = `query($first: Int) { customers(first: $first, filter: { tags: { has: "expiring-page" } }, orderBy: { field: NAME, direction: ASC }) {
      nodes { loyalty { balance soon: pointsExpiringSoon(days: 3660) none: pointsExpiringSoon(days: 1) } } } }`;
    const page = (await app.ok(q, { first: 10 })).customers.nodes.map((n: any) => n.loyalty);
    // Every point was just earned and lasts two years: all of it expires within ten years, none within a day.
    expect(page.map((l: any) => [l.balance, l.soon, l.none])).toEqual([[10, 10, 0], [20, 20, 0], [30, 30, 0], [40, 40, 0]]);
    expect(await app.statements(q, { first: 4 })).toBe(await app.statements(q, { first: 1 }));
  });

  it('is safe with several workers at once: the points expire once', async () => {
    const c = await customer('Eli Concurrent');
    const acc = await enroll(c);
    const t0 = Date.now() - 30 * MONTH;
    await app.db.query(`UPDATE loyalty_accounts SET enrolled_at = $2 WHERE id = $1`, [uuid(acc.id), new Date(t0 - DAY)]);
    await order(c, '80.00', { placedAt: new Date(t0).toISOString() });
    const asOf = new Date(t0 + 25 * MONTH);
    await Promise.all([1, 2, 3].map(() => expireLoyaltyPoints(app.db, asOf)));
    await expireLoyaltyPoints(app.db, asOf);
    expect((await account(c)).balance).toBe(0);
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM points_transactions WHERE account_id = $1 AND kind = 'EXPIRE'`, [uuid(acc.id)]);
    expect(n).toBe(1);
  });
});

describe('the balance', () => {
  it('always equals the sum of the ledger, over random sequences of earn, redeem, reversal (cancelled or refunded), adjust and expire', async () => {
    const MONTH = 30.5 * DAY;
    const step = fc.oneof(
      fc.record({ op: fc.constant('earn' as const), price: fc.integer({ min: 1, max: 500 }), monthsAgo: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ op: fc.constant('redeem' as const), points: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ op: fc.constant('reverse' as const), pick: fc.nat(), status: fc.constantFrom('CANCELLED', 'REFUNDED') }),
      fc.record({ op: fc.constant('adjust' as const), points: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0) }),
      fc.record({ op: fc.constant('expire' as const), monthsAhead: fc.integer({ min: -20, max: 30 }) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const c = await customer(`Prop ${run++}`);
        const acc = await enroll(c);
        await app.db.query(`UPDATE loyalty_accounts SET enrolled_at = $2 WHERE id = $1`, [uuid(acc.id), new Date(Date.now() - 48 * MONTH)]);
        const orders: string[] = [];
        for (const s of steps) {
          if (s.op === 'earn') orders.push((await order(c, `${s.price}.00`, { placedAt: new Date(Date.now() - s.monthsAgo * MONTH).toISOString() })).id);
          else if (s.op === 'redeem') await call(app, REDEEM, { customerId: c, points: s.points, reason: 'Prop', idempotencyKey: `p-${run}-${Math.random()}` });
          else if (s.op === 'adjust') await call(app, ADJUST, { customerId: c, points: s.points, reason: 'Prop' });
          else if (s.op === 'reverse' && orders.length) await call(app, STATUS, { id: orders[s.pick % orders.length], status: s.status });
          else if (s.op === 'expire') await expireLoyaltyPoints(app.db, new Date(Date.now() + s.monthsAhead * MONTH));
          const check = await ledgerCheck(c);
          expect(check.balance).toBe(check.sum);
          expect(check.lifetime).toBe(check.lifetimeSum);
        }
        // Redemptions, adjustments and expiry never take the balance below zero; only a reversal may.
        const [neg] = await app.db.query(
          `SELECT count(*)::int AS n FROM (SELECT kind, sum(points) OVER (ORDER BY created_at, id) AS running FROM points_transactions WHERE customer_id = $1) r WHERE running < 0 AND kind IN ('REDEEM','EXPIRE')`,
          [uuid(c)],
        );
        expect(neg.n).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});

describe('customer filters', () => {
  it('filter customers by loyalty tier, balance and membership; a partner without loyalty:read may not', async () => {
    const gold = await customer('Goldie Filter');
    await enroll(gold);
    await ok(app, ADJUST, { customerId: gold, points: 1500, reason: 'Seed for filter test' });
    const q = `query($filter: CustomerFilter) { customers(first: 100, filter: $filter) { nodes { id } } }`;
    const ids = async (filter: object) => (await app.ok(q, { filter })).customers.nodes.map((n: any) => n.id);
    expect(await ids({ loyaltyTier: { eq: 'Gold' }, name: { eq: 'Goldie Filter' } })).toEqual([gold]);
    expect(await ids({ loyaltyTier: { eq: 'Silver' }, name: { eq: 'Goldie Filter' } })).toEqual([]);
    expect(await ids({ loyaltyBalance: { gte: 1500 } })).toContain(gold);
    expect(await ids({ loyaltyBalance: { gte: 1500 } })).not.toContain(await customer('Not a member'));
    expect(await ids({ loyaltyMember: { eq: true }, name: { eq: 'Goldie Filter' } })).toEqual([gold]);
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    const res = await partner.gql(q, { filter: { loyaltyTier: { eq: 'Gold' } } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'loyalty:read' });
  });
});

describe('a sales rep', () => {
  it('reads and redeems for their own book; another rep’s member does not exist for them', async () => {
    const mine = await customer('Rep A Member', users.repA);
    const theirs = await customer('Rep B Member', users.repB);
    await enroll(mine, repA);
    await enroll(theirs, repB);
    await order(mine, '90.00');
    await order(theirs, '90.00');
    const read = async (caller: GraphQLCaller, id: string) => (await caller.ok(`query($id: ID!) { customer(id: $id) { loyalty { balance } } }`, { id })).customer;
    expect(await read(repA, mine)).toEqual({ loyalty: { balance: 90 } });
    expect(await read(repA, theirs)).toBeNull();
    const [{ id: accountId }] = await app.db.query(`SELECT id FROM loyalty_accounts WHERE customer_id = $1`, [uuid(theirs)]);
    expect((await repA.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: toGlobalId('LoyaltyAccount', accountId) })).node).toBeNull();
    const before = await ledgerFingerprint();
    expect(codes(await call(repA, REDEEM, { customerId: theirs, points: 1, reason: 'x', idempotencyKey: 'steal' }))).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(await ledgerFingerprint()).toBe(before);
    expect((await ok(repA, REDEEM, { customerId: mine, points: 10, reason: 'Cup', idempotencyKey: 'mine-1' })).account.balance).toBe(80);
    const [audit] = await app.db.query(`SELECT actor_role, actor_user_id FROM audit_events WHERE action = 'loyalty.redeem' ORDER BY at DESC LIMIT 1`);
    expect(audit).toEqual({ actor_role: 'SALES_REP', actor_user_id: users.repA });
  });
});

describe('loyaltyStats', () => {
  it('compares members and non-members of the caller’s view against hand-computed figures', async () => {
    const statsRep = (await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Stan Stats', 'stan@rapport.example', 'SALES_REP') RETURNING id`))[0].id;
    const stan = await app.as({ role: 'SALES_REP', userId: statsRep });
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY).toISOString();
    // Members: m1 buys at −200 and −150 days (retained within 90), m2 at −100 (cohort, not retained); non-members: n1 buys at −5 days (not in the cohort), n2 never.
    const m1 = await customer('Stats M1', statsRep);
    const m2 = await customer('Stats M2', statsRep);
    const n1 = await customer('Stats N1', statsRep);
    await customer('Stats N2', statsRep);
    await enroll(m1);
    await enroll(m2);
    await order(m1, '100.00', { placedAt: ago(200) });
    await order(m1, '50.00', { placedAt: ago(150) });
    await order(m2, '30.01', { placedAt: ago(100) });
    await order(n1, '20.00', { placedAt: ago(5) });
    const cancelled = await order(n1, '999.00', { placedAt: ago(4) });
    await ok(app, STATUS, { id: cancelled.id, status: 'CANCELLED' });
    // The worker rescores after every order: let it finish before the scores are set by hand.
    await app.scoresSettled();
    await app.db.query(`UPDATE customer_scores SET predicted_clv = v.clv FROM (VALUES ($1::uuid, 100.005), ($2::uuid, 200), ($3::uuid, 50)) v(id, clv) WHERE customer_id = v.id`, [uuid(m1), uuid(m2), uuid(n1)]);
    const { loyaltyStats } = await stan.ok(`{ loyaltyStats(retentionDays: 90) { retentionDays
      members { customers buyers orders purchaseFrequency averageOrderValue { amount currencyCode } retentionCohort retentionRate meanPredictedClv { amount } }
      nonMembers { customers buyers orders purchaseFrequency averageOrderValue { amount } retentionCohort retentionRate meanPredictedClv { amount } } } }`);
    expect(loyaltyStats.members).toEqual({
      customers: 2,
      buyers: 2,
      orders: 3,
      purchaseFrequency: 1.5,
      // 180.01 / 3 = 60.0033… → 60.00
      averageOrderValue: { amount: '60.00', currencyCode: 'USD' },
      retentionCohort: 2,
      retentionRate: 0.5,
      // (100.005 + 200) / 2 = 150.0025 → 150.00
      meanPredictedClv: { amount: '150.00' },
    });
    expect(loyaltyStats.nonMembers).toEqual({
      customers: 2,
      buyers: 1,
      orders: 1,
      purchaseFrequency: 1,
      averageOrderValue: { amount: '20.00' },
      retentionCohort: 0,
      retentionRate: null,
      meanPredictedClv: { amount: '50.00' },
    });
    // As of 120 days ago, m2 had not bought and nobody was a member yet.
    const past = await stan.ok(`query($asOf: DateTime) { loyaltyStats(asOf: $asOf) { members { customers } nonMembers { customers buyers orders } } }`, { asOf: ago(120) });
    expect(past.loyaltyStats).toEqual({ members: { customers: 0 }, nonMembers: { customers: 4, buyers: 1, orders: 2 } });
  });
});

describe('the data export', () => {
  it('includes the loyalty account and its ledger', async () => {
    const c = await customer('Ximena Export');
    await enroll(c);
    await order(c, '12.00');
    const data = await app.ok(`query($id: ID!) { exportCustomerData(id: $id) }`, { id: c });
    const doc = data.exportCustomerData;
    expect(doc.loyalty).toMatchObject({ balance: 12 });
    expect(doc.loyalty.transactions.map((t: any) => [t.kind, t.points])).toEqual([['EARN', 12]]);
  });
});
