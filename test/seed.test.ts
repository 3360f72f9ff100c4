import { CustomerGenerator, generateProducts, generateStaff, GeneratorOptions } from '../src/seed/generator';
import { DEMO_DATASET, loadDemoDataIfEmpty } from '../src/seed/demo';
import { populationSummaries } from '../src/insight/insight.loaders';
import { seedDatabase, SeedRefusedError, SeedSummary } from '../src/seed/seed';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/db/data-source';
import { createTestDatabase, dropTestDatabase, startTestApp, TestApp } from './support/test-app';

let app: TestApp;
let summary: SeedSummary;
let indexesBefore: string[];
const DAY = 86_400_000;

const indexDefinitions = async (db: DataSource): Promise<string[]> =>
  (await db.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`)).map((r: { indexdef: string }) => r.indexdef);

beforeAll(async () => {
  app = await startTestApp();
  indexesBefore = await indexDefinitions(app.db);
  summary = (await seedDatabase(app.db, app.config, { customers: 200, seed: 7 }))!;
  // What the seed's transaction left, before any worker ran: every customer's first scores and rescore request.
  [unscoredAfterSeed] = await app.db.query(
    `SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = c.id))::int AS "withoutRow",
            count(*)::int AS customers FROM customers c`,
  );
});

let unscoredAfterSeed: { withoutRow: number; customers: number };

describe('the seed and the scores', () => {
  it('gives every seeded customer a scores row in its own transaction, though its bulk load runs without triggers', async () => {
    expect(unscoredAfterSeed).toEqual({ withoutRow: 0, customers: summary.customers });
    await app.scoresSettled();
    // The worker then scored them from their purchases: the buyers the stored summaries hold are the orders' buyers.
    const [{ scoredBuyers }] = await app.db.query(`SELECT count(*)::int AS "scoredBuyers" FROM customer_scores WHERE occasions > 0 AND NOT customer_deleted`);
    expect(scoredBuyers).toBe((await populationSummaries(app.db, new Date())).length);
    expect(scoredBuyers).toBeGreaterThan(100);
  });
});
afterAll(() => app.close());

const one = async <T = Record<string, any>>(sql: string): Promise<T> => (await app.db.query(sql))[0];

describe('the synthetic dataset', () => {
  it('loads every table and reports what it wrote', async () => {
    const counts = await one(`
      SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products,
             (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM contacts)::int AS contacts,
             (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM order_lines)::int AS "orderLines",
             (SELECT count(*) FROM touchpoints)::int AS touchpoints, (SELECT count(*) FROM lifecycle_transitions)::int AS "lifecycleTransitions"`);
    expect(summary).toMatchObject(counts);
    expect(counts.customers).toBe(200);
    expect(counts.products).toBeGreaterThanOrEqual(50);
    expect(counts.orders / counts.customers).toBeGreaterThan(5);
    const { customers } = await app.ok('{ customers { totalCount } }');
    expect(customers.totalCount).toBe(200);
  });

  it('restores every index it dropped for the bulk load, and leaves no dangling reference', async () => {
    expect(await indexDefinitions(app.db)).toEqual(indexesBefore);
    // The load skips the per-row foreign-key triggers; check every reference the way they would have.
    const references = await app.db.query(`
      SELECT tc.table_name AS "table", kcu.column_name AS "column", ccu.table_name AS target
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
        JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
       WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`);
    expect(references.length).toBeGreaterThanOrEqual(15);
    for (const { table, column, target } of references) {
      const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM ${table} x WHERE x.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = x.${column})`);
      expect({ table, column, dangling: n }).toEqual({ table, column, dangling: 0 });
    }
  });

  it('gives the reps tasks due, overdue and done, on customers in their own books', async () => {
    const byRep = await app.db.query(`
      SELECT t.owner_id, count(*) FILTER (WHERE t.status = 'OPEN' AND t.due_at > now())::int AS due,
             count(*) FILTER (WHERE t.status = 'OPEN' AND t.due_at < now())::int AS overdue,
             count(*) FILTER (WHERE t.status = 'DONE')::int AS done,
             count(*) FILTER (WHERE c.owner_id <> t.owner_id)::int AS outside
        FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE t.complaint_id IS NULL GROUP BY t.owner_id`);
    expect(byRep.length).toBeGreaterThanOrEqual(3);
    const total = (k: string) => byRep.reduce((s: number, r: Record<string, number>) => s + r[k], 0);
    expect([total('due'), total('overdue'), total('done')].every((n) => n > 0)).toBe(true);
    expect(total('outside')).toBe(0);
    expect(summary.tasks).toBe(total('due') + total('overdue') + total('done'));
    expect(await one(`SELECT count(*)::int AS n FROM tasks WHERE status = 'DONE' AND completion_touchpoint_id IS NOT NULL`)).not.toEqual({ n: 0 });
    // The escalations the seed ran put a COMPLAINT_RESPONSE task on the manager's agenda for each complaint handed up.
    const escalated = await one(`
      SELECT (SELECT count(*) FROM complaint_escalations WHERE to_user_id IS NOT NULL)::int AS escalations,
             (SELECT count(*) FROM tasks t JOIN users u ON u.id = t.owner_id WHERE t.complaint_id IS NOT NULL AND t.kind = 'COMPLAINT_RESPONSE' AND u.role IN ('MANAGER', 'ADMIN'))::int AS tasks`);
    expect(escalated.escalations).toBeGreaterThan(0);
    expect(escalated.tasks).toBe(escalated.escalations);
  });

  it('has the sales director’s assignment rules: business accounts go to the reps in turn', async () => {
    const { assignmentRules } = await app.ok(`{ assignmentRules { position name kinds lifecycleStages owners { role } } }`);
    expect(assignmentRules.map((r: { position: number }) => r.position)).toEqual([1, 2, 3]);
    expect(assignmentRules[0]).toMatchObject({ kinds: ['COMPANY'], lifecycleStages: [] });
    for (const owner of assignmentRules[0].owners) expect(owner.role).toBe('SALES_REP');
    // A dry run over the business accounts (nothing written): the first rule takes them, shared out across the reps.
    const { applyAssignmentRules: run } = await app.ok(`mutation { applyAssignmentRules(input: { filter: { kind: { eq: COMPANY } }, onlyUnowned: false, dryRun: true }) {
      evaluated byRule { rule { position } customers } byOwner { owner { role } customers } userErrors { code } } }`);
    expect(run.userErrors).toEqual([]);
    expect(run.byRule).toEqual([{ rule: { position: 1 }, customers: run.evaluated }]);
    // Every business account is with a rep of the team already, so the rules change nobody.
    expect(run.evaluated).toBeGreaterThan(0);
    expect(run.byOwner).toEqual([]);
  });

  it('has staff of every role, and every sales rep owns customers', async () => {
    const roles = await app.db.query(`SELECT role, count(*)::int AS n FROM users GROUP BY role ORDER BY role`);
    expect(roles.map((r: { role: string }) => r.role)).toEqual(['ADMIN', 'ANALYST', 'MANAGER', 'SALES_REP']);
    const books = await app.db.query(`SELECT u.id, count(c.id)::int AS n FROM users u LEFT JOIN customers c ON c.owner_id = u.id WHERE u.role = 'SALES_REP' GROUP BY u.id`);
    expect(books.length).toBeGreaterThanOrEqual(3);
    for (const book of books) expect(book.n).toBeGreaterThan(5);
    expect(await one(`SELECT count(*)::int AS n FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.role <> 'SALES_REP'`)).toEqual({ n: 0 });
  });

  it('has mostly people, some companies, referrals and consent timestamps', async () => {
    const mix = await one(`
      SELECT count(*) FILTER (WHERE kind = 'COMPANY')::int AS companies, count(*) FILTER (WHERE referred_by_id IS NOT NULL)::int AS referred,
             count(*) FILTER (WHERE consent_email_granted AND consent_email_at IS NOT NULL)::int AS email_consent,
             count(*) FILTER (WHERE consent_email_granted AND consent_email_at IS NULL)::int AS consent_without_time,
             count(DISTINCT address_country)::int AS countries, count(*) FILTER (WHERE phone !~ '^\\+[1-9][0-9]{6,14}$')::int AS bad_phones
        FROM customers`);
    expect(mix.companies).toBeGreaterThan(20);
    expect(mix.companies).toBeLessThan(70);
    expect(mix.referred).toBeGreaterThan(5);
    expect(mix.email_consent).toBeGreaterThan(50);
    expect(mix).toMatchObject({ consent_without_time: 0, bad_phones: 0 });
    expect(mix.countries).toBeGreaterThanOrEqual(4);
    expect(await one(`SELECT count(*)::int AS n FROM customers c JOIN customers r ON r.id = c.referred_by_id WHERE r.created_at > c.created_at`)).toEqual({ n: 0 });
  });

  it('gives every company several contacts with exactly one primary, and some people family or assistants', async () => {
    const companies = await app.db.query(`
      SELECT c.id, count(k.id)::int AS contacts, count(k.id) FILTER (WHERE k.is_primary)::int AS primaries
        FROM customers c LEFT JOIN contacts k ON k.customer_id = c.id WHERE c.kind = 'COMPANY' GROUP BY c.id`);
    for (const c of companies) {
      expect(c.contacts).toBeGreaterThanOrEqual(2);
      expect(c.primaries).toBe(1);
    }
    const people = await one(`SELECT count(*)::int AS n FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE c.kind = 'PERSON' AND k.relationship IN ('FAMILY', 'ASSISTANT')`);
    expect(people.n).toBeGreaterThan(0);
  });

  it('keeps every order total equal to its lines, with 1–4 lines and exact base-currency conversions', async () => {
    const mismatches = await one(`
      SELECT count(*)::int AS n FROM orders o JOIN LATERAL (
        SELECT count(*) AS lines, sum(quantity * unit_price_amount) AS gross, sum(discount_amount) AS discount,
               sum(total_amount) AS total, sum(quantity * unit_cost_amount) AS cost,
               bool_and(total_amount = quantity * unit_price_amount - discount_amount AND currency = o.currency) AS lines_ok
          FROM order_lines l WHERE l.order_id = o.id) l ON true
       WHERE l.lines NOT BETWEEN 1 AND 4 OR o.subtotal_amount <> l.gross OR o.discount_amount <> l.discount
          OR o.total_amount <> l.total OR o.cost_amount <> l.cost OR NOT l.lines_ok
          -- Rounded once to cents, as common/money convert() does (Postgres rounds numeric half away from zero too).
          OR o.total_base <> round(o.total_amount * o.rate_to_base, 2) OR o.cost_base <> round(o.cost_amount * o.rate_to_base, 2)`);
    expect(mismatches.n).toBe(0);
    const mix = await one(`
      SELECT count(*) FILTER (WHERE currency <> base_currency)::int AS foreign, count(*) FILTER (WHERE discount_amount > 0)::int AS discounted,
             count(*) FILTER (WHERE margin_amount <= 0)::int AS unprofitable, count(DISTINCT channel)::int AS channels,
             count(*) FILTER (WHERE status = 'FULFILLED')::float / count(*) AS fulfilled,
             count(*) FILTER (WHERE status IN ('CANCELLED', 'REFUNDED'))::int AS returned,
             count(*) FILTER (WHERE status = 'PENDING' AND placed_at < now() - interval '7 days')::int AS stale_pending
        FROM orders`);
    expect(mix.foreign).toBeGreaterThan(0);
    expect(mix.discounted).toBeGreaterThan(0);
    expect(mix.unprofitable).toBe(0);
    expect(mix.channels).toBe(5);
    expect(mix.fulfilled).toBeGreaterThan(0.85);
    expect(mix.returned).toBeGreaterThan(0);
    expect(mix.stale_pending).toBe(0);
    const numbers = await one(`SELECT count(DISTINCT number)::int AS distinct, count(*)::int AS n FROM orders`);
    expect(numbers.distinct).toBe(numbers.n);
  });

  it('has one-time buyers, repeat buyers, prospects without orders and customers who went quiet', async () => {
    const buyers = await one(`
      SELECT count(*) FILTER (WHERE n = 0)::int AS prospects, count(*) FILTER (WHERE n = 1)::int AS one_time,
             count(*) FILTER (WHERE n >= 2)::int AS repeat, count(*) FILTER (WHERE n >= 10)::int AS frequent,
             count(*) FILTER (WHERE last < now() - interval '180 days')::int AS quiet
        FROM (SELECT c.id, count(o.id) AS n, max(o.placed_at) AS last FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id) x`);
    expect(buyers.prospects).toBeGreaterThan(0);
    expect(buyers.one_time).toBeGreaterThan(10);
    expect(buyers.repeat).toBeGreaterThan(100);
    expect(buyers.frequent).toBeGreaterThan(20);
    expect(buyers.quiet).toBeGreaterThan(20);
    const span = await one(`SELECT min(created_at) AS first, max(created_at) AS last FROM customers`);
    expect(Date.now() - span.first.getTime()).toBeGreaterThan(600 * DAY);
    expect(Date.now() - span.last.getTime()).toBeLessThan(60 * DAY);
    expect(await one(`SELECT count(*)::int AS n FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.placed_at < c.created_at OR o.placed_at > now()`)).toEqual({ n: 0 });
  });

  it('has thank-yous after many (not all) purchases, greetings, surveys, and open and resolved complaints', async () => {
    const purposes = await app.db.query(`SELECT purpose, count(*)::int AS n FROM touchpoints GROUP BY purpose`);
    const byPurpose = Object.fromEntries(purposes.map((p: { purpose: string; n: number }) => [p.purpose, p.n]));
    for (const purpose of ['THANK_YOU', 'GREETING', 'FOLLOW_UP', 'SERVICE', 'SURVEY', 'COMPLAINT', 'INQUIRY']) expect(byPurpose[purpose]).toBeGreaterThan(0);
    const thanked = await one(`
      SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM touchpoints t WHERE t.order_id = o.id AND t.purpose = 'THANK_YOU'))::float / count(*) AS share
        FROM orders o WHERE status <> 'CANCELLED'`);
    expect(thanked.share).toBeGreaterThan(0.3);
    expect(thanked.share).toBeLessThan(0.95);
    const complaints = await one(`
      SELECT count(*) FILTER (WHERE resolved_at IS NULL)::int AS open, count(*) FILTER (WHERE resolved_at IS NOT NULL)::int AS resolved,
             count(*) FILTER (WHERE resolved_at > opened_at + interval '1 day')::int AS slow,
             count(*) FILTER (WHERE resolved_at <= resolution_due_at AND first_response_at <= first_response_due_at)::int AS "metSla",
             count(*) FILTER (WHERE resolved_at > resolution_due_at OR first_response_at > first_response_due_at)::int AS "missedSla",
             count(DISTINCT status)::int AS statuses, count(*) FILTER (WHERE compensation_kind IS NOT NULL)::int AS compensated,
             count(*) FILTER (WHERE customer_satisfied IS NOT NULL)::int AS feedback,
             (SELECT count(*) FROM touchpoints t WHERE t.purpose = 'COMPLAINT')::int AS touchpoints,
             (SELECT count(*) FROM complaint_escalations)::int AS escalations,
             (SELECT count(*) FROM complaints k WHERE k.status <> (SELECT x.to_status FROM complaint_transitions x WHERE x.complaint_id = k.id ORDER BY x.at DESC, array_position(ARRAY['CLOSED','RESOLVED','IN_PROGRESS','ACKNOWLEDGED','OPEN'], x.to_status) LIMIT 1))::int AS "historyDrift"
        FROM complaints`);
    expect(complaints.touchpoints).toBe(summary.complaints);
    expect(complaints.open).toBeGreaterThan(0);
    expect(complaints.resolved).toBeGreaterThan(complaints.open);
    expect(complaints.slow).toBeGreaterThan(0);
    // Every status, service levels met and missed, some compensation and feedback, and the worker's escalations.
    // RESOLVED and CLOSED, and the open ones take OPEN, ACKNOWLEDGED and IN_PROGRESS in turn: how many are still open
    // depends on the day the dataset is generated (2 of 200 customers' complaints on some days), so all five need three.
    expect(complaints.statuses).toBe(2 + Math.min(3, complaints.open));
    expect(complaints.metSla).toBeGreaterThan(0);
    expect(complaints.missedSla).toBeGreaterThan(0);
    expect(complaints.compensated).toBeGreaterThan(0);
    expect(complaints.feedback).toBeGreaterThan(0);
    expect(complaints.escalations).toBeGreaterThan(0);
    expect(complaints.historyDrift).toBe(0);
    const surveys = await one(`SELECT count(*)::int AS n, min(satisfaction) AS lo, max(satisfaction) AS hi FROM touchpoints WHERE purpose = 'SURVEY' AND nps IS NOT NULL`);
    expect(surveys.n).toBe(byPurpose.SURVEY);
    expect(surveys.hi).toBeGreaterThan(surveys.lo);
    expect(await one(`SELECT count(*)::int AS n FROM touchpoints WHERE occurred_at > now()`)).toEqual({ n: 0 });
  });

  it("records lifecycle histories that end in each customer's current stage", async () => {
    const drift = await one(`
      SELECT count(*)::int AS n FROM customers c JOIN LATERAL (
        SELECT to_stage_id FROM lifecycle_transitions t WHERE t.customer_id = c.id ORDER BY at DESC, created_at DESC LIMIT 1) last ON true
       WHERE last.to_stage_id IS DISTINCT FROM c.lifecycle_stage_id`);
    expect(drift.n).toBe(0);
    const stages = await app.db.query(`SELECT s.key, count(*)::int AS n FROM customers c JOIN lifecycle_stages s ON s.id = c.lifecycle_stage_id GROUP BY s.key`);
    expect(stages.length).toBeGreaterThanOrEqual(5);
    const sources = await app.db.query(`SELECT DISTINCT source FROM lifecycle_transitions ORDER BY source`);
    expect(sources.map((s: { source: string }) => s.source)).toEqual(['MANUAL', 'RULE']);
    const prospectsWithOrders = await one(`
      SELECT count(*)::int AS n FROM customers c JOIN lifecycle_stages s ON s.id = c.lifecycle_stage_id
       WHERE s.key = 'PROSPECT' AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status IN ('PENDING', 'PAID', 'FULFILLED'))`);
    expect(prospectsWithOrders.n).toBe(0);
  });

  it('has opportunities across reps and stages: open, won and lost, some rotting, each with a stage history that ends where it stands', async () => {
    const mix = await one(`
      SELECT count(*)::int AS n, count(DISTINCT owner_id)::int AS reps, count(DISTINCT stage_id) FILTER (WHERE status = 'OPEN')::int AS open_stages,
             count(*) FILTER (WHERE status = 'OPEN')::int AS open, count(*) FILTER (WHERE status = 'WON')::int AS won,
             count(*) FILTER (WHERE status = 'LOST')::int AS lost
        FROM opportunities`);
    expect(summary.opportunities).toBe(mix.n);
    expect(mix.reps).toBeGreaterThanOrEqual(3);
    expect(mix.open_stages).toBe(4);
    expect(Math.min(mix.open, mix.won, mix.lost)).toBeGreaterThan(0);
    const { opportunities } = await app.ok('{ opportunities(filter: { rotting: { eq: true } }) { totalCount } }');
    expect(opportunities.totalCount).toBeGreaterThan(0);
    const drift = await one(`
      SELECT count(*)::int AS n FROM opportunities o JOIN LATERAL (
        SELECT stage_id, entered_at, left_at FROM opportunity_stage_history h WHERE h.opportunity_id = o.id ORDER BY entered_at DESC LIMIT 1) last ON true
       WHERE last.stage_id <> o.stage_id OR last.entered_at <> o.stage_entered_at OR last.left_at IS DISTINCT FROM o.closed_at`);
    expect(drift.n).toBe(0);
    expect(await one(`SELECT count(*)::int AS n FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.role <> 'SALES_REP'`)).toEqual({ n: 0 });
  });

  it('refuses to seed a database that holds data, unless appending', async () => {
    await expect(seedDatabase(app.db, app.config, { customers: 5 })).rejects.toThrow(SeedRefusedError);
    await expect(seedDatabase(app.db, app.config, { customers: 5 })).rejects.toThrow(/not empty \(200 customers.*--append/);
    const appended = await seedDatabase(app.db, app.config, { customers: 5, whenNotEmpty: 'append' });
    expect(appended).toMatchObject({ customers: 5, users: 0, products: 0 });
    const refs = await one(`SELECT count(DISTINCT external_ref)::int AS n, max(external_ref) AS last FROM customers`);
    expect(refs).toEqual({ n: 205, last: 'C0000205' });
  });

});

describe('the demo data', () => {
  it('loads about 2,000 customers over two years into an empty database, and nothing once there are customers', async () => {
    const url = await createTestDatabase();
    const db = createDataSource(url, 2);
    await db.initialize();
    try {
      await loadDemoDataIfEmpty(db, app.config);
      const counts = async () => (await db.query(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders`))[0];
      const loaded = await counts();
      expect(loaded.customers).toBe(DEMO_DATASET.customers);
      expect(loaded.orders).toBeGreaterThan(15_000);
      await loadDemoDataIfEmpty(db, app.config);
      expect(await counts()).toEqual(loaded);
    } finally {
      await db.destroy();
      await dropTestDatabase(url);
    }
  });
});

describe('the generator', () => {
  it('is deterministic for a seed, apart from ids', () => {
    const options: GeneratorOptions = { customers: 50, seed: 42, years: 2, now: new Date('2025-06-01T00:00:00Z'), baseCurrency: 'USD' };
    const run = () => {
      const gen = new CustomerGenerator(options, generateStaff(options), generateProducts(options));
      return Array.from({ length: 50 }, () => {
        const h = gen.next();
        return [h.customer.name, h.customer.email, h.customer.stage, h.orders.map((o) => `${o.placedAt.toISOString()} ${o.total} ${o.currency}`), h.touchpoints.length];
      });
    };
    expect(run()).toEqual(run());
  });
});

describe('the demo loyalty programme', () => {
  it('enrols a share of the buyers with a ledger from their orders, redemptions, and balances equal to their ledgers', async () => {
    const row = await one(`
      SELECT (SELECT count(*) FROM loyalty_accounts)::int AS members,
             (SELECT count(*) FROM points_transactions WHERE kind = 'EARN')::int AS earned,
             (SELECT count(*) FROM points_transactions WHERE kind = 'REDEEM')::int AS redeemed,
             (SELECT count(*) FROM loyalty_accounts a
               WHERE a.balance <> coalesce((SELECT sum(points) FROM points_transactions p WHERE p.account_id = a.id), 0))::int AS "offLedger",
             (SELECT count(*) FROM loyalty_accounts WHERE balance < 0)::int AS negative,
             (SELECT count(*) FROM points_transactions t JOIN orders o ON o.id = t.order_id WHERE t.kind = 'EARN' AND o.status IN ('CANCELLED','REFUNDED'))::int AS "earnedOnCancelled"`);
    expect(row.members).toBeGreaterThan(30);
    expect(row.earned).toBeGreaterThan(row.members);
    expect(row.redeemed).toBeGreaterThan(0);
    expect(row).toMatchObject({ offLedger: 0, negative: 0, earnedOnCancelled: 0 });
  });
});

describe('the demo surveys', () => {
  it('answers every generated SURVEY touchpoint through a live survey, and satisfaction differs by segment', async () => {
    const counts = await one(`
      SELECT (SELECT count(*) FROM surveys WHERE status = 'ACTIVE')::int AS surveys,
             (SELECT count(*) FROM touchpoints WHERE purpose = 'SURVEY')::int AS touchpoints,
             (SELECT count(*) FROM survey_responses r JOIN touchpoints t ON t.id = r.touchpoint_id AND t.satisfaction = r.csat AND t.nps = r.nps)::int AS responses,
             (SELECT count(DISTINCT survey_id) FROM survey_responses)::int AS answered`);
    expect(counts).toEqual({ surveys: 2, touchpoints: counts.responses, responses: counts.responses, answered: 2 });
    await app.scoresSettled();
    const { satisfactionSummary } = await app.ok(`query($from: DateTime!, $to: DateTime!) { satisfactionSummary(from: $from, to: $to, groupBy: SEGMENT) {
      total { current { responses } } groups { key current { csatMean responses } } } }`, { from: new Date(Date.now() - 4 * 365 * DAY).toISOString(), to: new Date().toISOString() });
    expect(satisfactionSummary.total.current.responses).toBeGreaterThan(0);
    const means = satisfactionSummary.groups.filter((g: any) => g.current.responses >= 5).map((g: any) => g.current.csatMean as number);
    expect(means.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(0.5);
  });
});

describe('the demo custom fields', () => {
  it('defines hobbies (personal), contact time, company size and first contact, with values of their type on a share of the customers', async () => {
    const defs = await app.db.query(`SELECT key, type, personal FROM custom_field_definitions WHERE entity = 'CUSTOMER' AND deleted_at IS NULL ORDER BY position`);
    expect(defs).toEqual([
      { key: 'hobbies', type: 'TEXT', personal: true },
      { key: 'preferred_contact_time', type: 'CHOICE', personal: false },
      { key: 'company_size', type: 'NUMBER', personal: false },
      { key: 'first_contact', type: 'DATE', personal: false },
    ]);
    const row = await one(`
      SELECT count(*)::int AS customers,
             count(*) FILTER (WHERE custom_fields <> '{}')::int AS "withValues",
             count(*) FILTER (WHERE custom_fields ? 'hobbies' AND kind <> 'PERSON')::int AS "hobbiesOnCompanies",
             count(*) FILTER (WHERE jsonb_typeof(custom_fields -> 'company_size') NOT IN ('number'))::int AS "badSizes",
             count(*) FILTER (WHERE (custom_fields ->> 'first_contact')::date > created_at::date)::int AS "contactAfterCreation"
        FROM customers`);
    expect(row.withValues).toBeGreaterThan(row.customers / 3);
    expect(row.withValues).toBeLessThan(row.customers);
    expect(row).toMatchObject({ hobbiesOnCompanies: 0, badSizes: 0, contactAfterCreation: 0 });
    // Sortable through the API like any field.
    const { customers } = await app.ok(`{ customers(first: 3, orderBy: { field: CUSTOM_FIELD, customField: "company_size", direction: DESC }) { nodes { customFields { key number } } } }`);
    const sizes = customers.nodes.map((n: any) => n.customFields.find((v: any) => v.key === 'company_size').number);
    expect(sizes).toEqual([...sizes].sort((a: number, b: number) => b - a));
    expect(sizes[0]).toBeGreaterThan(0);
  });
});
