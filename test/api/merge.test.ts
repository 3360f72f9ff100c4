import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';

/*
 * mergeCustomers: every child row moves to the survivor (counts before and after, per table), fields and consents
 * as documented, the derived fields read the merged history, the merged ID finds the survivor, the audit log has it,
 * and bad input or another rep's customer writes nothing.
 */

let app: TestApp;
let rep: GraphQLCaller;
const users = { rep: '', other: '' };
const uuid = (g: string) => fromGlobalId(g)!.id;
const UE = 'userErrors { field code }';
const MERGE = `mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
  customer { id name email phone tags marketingConsents { channel granted } } moved { table rows } ${UE} } }`;

async function ok(mutation: string, input: Record<string, unknown>, who: GraphQLCaller = app): Promise<any> {
  const data = await who.ok(mutation, { input });
  const p = Object.values(data)[0] as { userErrors: unknown[] };
  expect(p.userErrors).toEqual([]);
  return p;
}
const CUSTOMER = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`;
const childCounts = async (id: string) =>
  (
    await app.db.query(
      `SELECT (SELECT count(*) FROM orders WHERE customer_id = $1)::int AS orders, (SELECT count(*) FROM contacts WHERE customer_id = $1)::int AS contacts,
              (SELECT count(*) FROM touchpoints WHERE customer_id = $1)::int AS touchpoints, (SELECT count(*) FROM tasks WHERE customer_id = $1)::int AS tasks,
              (SELECT count(*) FROM opportunities WHERE customer_id = $1)::int AS opportunities, (SELECT count(*) FROM complaints WHERE customer_id = $1)::int AS complaints,
              (SELECT count(*) FROM lifecycle_transitions WHERE customer_id = $1)::int AS transitions, (SELECT count(*) FROM customers WHERE referred_by_id = $1)::int AS referrals`,
      [uuid(id)],
    )
  )[0];

let survivor: string;
let duplicate: string;
beforeAll(async () => {
  app = await startTestApp();
  const user = async (name: string) => (await app.db.query(`INSERT INTO users (name, email, role) VALUES ($1, $2, 'SALES_REP') RETURNING id`, [name, `${name.toLowerCase()}@rapport.example`]))[0].id as string;
  users.rep = await user('Rita');
  users.other = await user('Otto');
  rep = await app.as({ role: 'SALES_REP', userId: users.rep });
  const owner = toGlobalId('User', users.rep);
  survivor = (await ok(CUSTOMER, { name: 'Erika Mustermann', email: 'erika@example.com', tags: ['vip'], ownerId: owner, consents: [{ channel: 'EMAIL', granted: true }, { channel: 'SMS', granted: true }] })).customer.id;
  duplicate = (await ok(CUSTOMER, { name: 'Erika Mustermann-Schulz', email: 'erika.schulz@example.com', phone: '+49 30 1234567', externalRef: 'SHOP-2', tags: ['coffee'], ownerId: owner, consents: [{ channel: 'SMS', granted: true }] })).customer.id;
  for (const [id, price] of [[survivor, '10.00'], [duplicate, '20.00'], [duplicate, '30.00']]) {
    await ok(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } ${UE} } }`, { customerId: id, lines: [{ description: 'Beans', quantity: 1, unitPrice: price, unitCost: '4.00' }] });
  }
  await ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${UE} } }`, { customerId: duplicate, name: 'Max' });
  await ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId: duplicate, channel: 'PHONE', purpose: 'SERVICE' });
  await ok(`mutation($input: ScheduleTaskInput!) { scheduleTask(input: $input) { task { id } ${UE} } }`, { customerId: duplicate, kind: 'CALL', subject: 'Call', dueAt: new Date(Date.now() + 86_400_000).toISOString() });
  await ok(`mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } ${UE} } }`, { customerId: duplicate, name: 'Machine', amount: '500.00' });
  await ok(`mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id } ${UE} } }`, { customerId: duplicate, channel: 'EMAIL', subject: 'Late' });
  await ok(CUSTOMER, { name: 'Friend of Erika', referredById: duplicate, ownerId: owner });
  await app.scoresSettled();
});
afterAll(() => app.close());

describe('mergeCustomers', () => {
  it('refuses bad input and another rep’s customer, writing nothing', async () => {
    const others = (await ok(CUSTOMER, { name: 'Otto’s', ownerId: toGlobalId('User', users.other) })).customer.id;
    const snapshot = async () => JSON.stringify(await app.db.query(`SELECT id, version, deleted_at, merged_into_id FROM customers ORDER BY id`));
    const before = await snapshot();
    const codes = async (input: Record<string, unknown>, who: GraphQLCaller = app) =>
      ((await who.ok(MERGE, { input })).mergeCustomers.userErrors as Array<{ field: string[]; code: string }>).map((e) => [e.field.join('.'), e.code]);
    expect(await codes({ survivorId: survivor, mergedIds: [survivor] })).toEqual([['input.mergedIds.0', 'INVALID']]);
    expect(await codes({ survivorId: survivor, mergedIds: [] })).toEqual([['input.mergedIds', 'REQUIRED']]);
    expect(await codes({ survivorId: survivor, mergedIds: ['nope'] })).toEqual([['input.mergedIds.0', 'INVALID_ID']]);
    expect(await codes({ survivorId: survivor, mergedIds: [duplicate], fieldChoices: [{ field: 'NAME', fromId: survivor }] })).toEqual([['input.fieldChoices.0.fromId', 'INVALID']]);
    // Another rep's customer does not exist for a sales rep.
    expect(await codes({ survivorId: survivor, mergedIds: [others] }, rep)).toEqual([['input.mergedIds.0', 'NOT_FOUND']]);
    expect(await snapshot()).toBe(before);
  });

  it('moves every child row to the survivor, keeps the most restrictive consents, and leaves a tombstone that finds the survivor', async () => {
    const [s, d] = [await childCounts(survivor), await childCounts(duplicate)];
    const res = await ok(MERGE, { survivorId: survivor, mergedIds: [duplicate], fieldChoices: [{ field: 'NAME', fromId: duplicate }] }, rep);
    const after = await childCounts(survivor);
    for (const key of Object.keys(s)) expect({ key, n: after[key] }).toEqual({ key, n: s[key] + d[key] });
    expect(await childCounts(duplicate)).toEqual(Object.fromEntries(Object.keys(d).map((k) => [k, 0])));
    const moved = Object.fromEntries(res.moved.map((r: { table: string; rows: number }) => [r.table, r.rows]));
    expect(moved).toMatchObject({ orders: d.orders, contacts: d.contacts, touchpoints: d.touchpoints, tasks: d.tasks, opportunities: d.opportunities, complaints: d.complaints, 'customers (referrals)': d.referrals });
    // The chosen name; the empty phone filled from the duplicate; the survivor's email kept; tags united;
    // SMS consented by both stays, email (only the survivor's) is withdrawn.
    expect(res.customer).toMatchObject({ id: survivor, name: 'Erika Mustermann-Schulz', email: 'erika@example.com', phone: '+49301234567' });
    expect(res.customer.tags.sort()).toEqual(['coffee', 'vip']);
    const consent = Object.fromEntries(res.customer.marketingConsents.map((c: { channel: string; granted: boolean }) => [c.channel, c.granted]));
    expect(consent).toMatchObject({ EMAIL: false, SMS: true });
    // The duplicate's ID finds the survivor; the survivor's figures are the merged history.
    expect((await app.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: duplicate })).node).toEqual({ id: survivor });
    expect((await app.ok(`query($id: ID!) { customer(id: $id) { id } }`, { id: duplicate })).customer).toEqual({ id: survivor });
    await app.scoresSettled();
    const { customer } = await app.ok(`query($id: ID!) { customer(id: $id) { orderStats { orders revenue { amount } } clv { historical { amount } } } }`, { id: survivor });
    expect(customer.orderStats).toMatchObject({ orders: 3, revenue: { amount: '60.00' } });
    expect(customer.clv.historical.amount).toBe('48.00');
    const audit = await app.db.query(`SELECT action, object_id FROM audit_events WHERE action IN ('customer.merge', 'customer.mergedInto') ORDER BY action`);
    expect(audit).toEqual([{ action: 'customer.merge', object_id: uuid(survivor) }, { action: 'customer.mergedInto', object_id: uuid(duplicate) }]);
  });

  it('brings two members’ loyalty ledgers into one account whose balance is their sum', async () => {
    const owner = toGlobalId('User', users.rep);
    const [a, b] = [(await ok(CUSTOMER, { name: 'Member A', ownerId: owner })).customer.id, (await ok(CUSTOMER, { name: 'Member B', ownerId: owner })).customer.id];
    for (const id of [a, b]) await ok(`mutation($input: EnrollInLoyaltyInput!) { enrollInLoyalty(input: $input) { userErrors { field code } } }`, { customerId: id });
    for (const [id, price] of [[a, '100.00'], [b, '250.00']]) {
      await ok(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } ${UE} } }`, { customerId: id, lines: [{ description: 'Beans', quantity: 1, unitPrice: price }] });
    }
    const BALANCE = `query($id: ID!) { customer(id: $id) { loyalty { balance lifetimePoints } } }`;
    const [before, other] = [(await app.ok(BALANCE, { id: a })).customer.loyalty, (await app.ok(BALANCE, { id: b })).customer.loyalty];
    expect(before.balance).toBeGreaterThan(0);
    await ok(MERGE, { survivorId: a, mergedIds: [b] });
    const after = (await app.ok(BALANCE, { id: a })).customer.loyalty;
    expect(after).toEqual({ balance: before.balance + other.balance, lifetimePoints: before.lifetimePoints + other.lifetimePoints });
    const [ledger] = await app.db.query(
      `SELECT (SELECT count(*) FROM loyalty_accounts WHERE customer_id = ANY($1::uuid[]))::int AS accounts,
              (SELECT coalesce(sum(points), 0) FROM points_transactions p JOIN loyalty_accounts l ON l.id = p.account_id WHERE l.customer_id = $2)::int AS sum`,
      [[uuid(a), uuid(b)], uuid(a)],
    );
    expect(ledger).toEqual({ accounts: 1, sum: after.balance });
  });

  it('combines custom values: the survivor keeps its own, fills the keys it lacks from the most recently updated merged record, and takes a chosen one', async () => {
    const DEFINE = `mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { field { id } ${UE} } }`;
    for (const input of [
      { entity: 'CUSTOMER', key: 'hobbies', label: 'Hobbies', type: 'TEXT', personal: true },
      { entity: 'CUSTOMER', key: 'company_size', label: 'Company size', type: 'NUMBER' },
      { entity: 'CUSTOMER', key: 'contact_time', label: 'Contact time', type: 'CHOICE', options: ['Morning', 'Evening'] },
      { entity: 'CUSTOMER', key: 'first_contact', label: 'First contact', type: 'DATE' },
    ]) await ok(DEFINE, input);
    const SET = `mutation($input: SetCustomFieldValuesInput!) { setCustomFieldValues(input: $input) { ${UE} } }`;
    const owner = toGlobalId('User', users.rep);
    const [keep, older, newer] = [
      (await ok(CUSTOMER, { name: 'Custom Keep', ownerId: owner })).customer.id,
      (await ok(CUSTOMER, { name: 'Custom Older', ownerId: owner })).customer.id,
      (await ok(CUSTOMER, { name: 'Custom Newer', ownerId: owner })).customer.id,
    ];
    await ok(SET, { id: keep, values: [{ key: 'hobbies', text: 'Sailing' }] });
    await ok(SET, { id: older, values: [{ key: 'hobbies', text: 'Chess' }, { key: 'company_size', number: 10 }, { key: 'first_contact', date: '2020-01-01' }] });
    // Written after the older one, so it is the most recently updated (an explicit order, not a clock race).
    await app.db.query(`UPDATE customers SET updated_at = now() - interval '1 day' WHERE id = $1`, [uuid(older)]);
    await ok(SET, { id: newer, values: [{ key: 'company_size', number: 250 }, { key: 'contact_time', choice: 'Evening' }] });

    const bad = await app.ok(MERGE, { input: { survivorId: keep, mergedIds: [older, newer], fieldChoices: [{ field: 'CUSTOM_FIELD', fromId: older, customField: 'no_such_field' }, { field: 'NAME', fromId: older, customField: 'hobbies' }] } });
    expect(bad.mergeCustomers.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([
      ['input.fieldChoices.1.customField', 'INVALID'],
    ]);
    const unknown = await app.ok(MERGE, { input: { survivorId: keep, mergedIds: [older, newer], fieldChoices: [{ field: 'CUSTOM_FIELD', fromId: older, customField: 'no_such_field' }] } });
    expect(unknown.mergeCustomers.userErrors).toEqual([{ field: ['input', 'fieldChoices', '0', 'customField'], code: 'NOT_FOUND' }]);
    expect((await app.db.query(`SELECT count(*)::int AS n FROM customers WHERE merged_into_id = $1`, [uuid(keep)]))[0].n).toBe(0);

    await ok(MERGE, { survivorId: keep, mergedIds: [older, newer], fieldChoices: [{ field: 'CUSTOM_FIELD', fromId: older, customField: 'first_contact' }] });
    const [{ custom_fields }] = await app.db.query(`SELECT custom_fields FROM customers WHERE id = $1`, [uuid(keep)]);
    expect(custom_fields).toEqual({ hobbies: 'Sailing', company_size: 250, contact_time: 'Evening', first_contact: '2020-01-01' });
    // The merged ID reads the survivor's values.
    const read = await app.ok(`query($id: ID!) { customer(id: $id) { name customFields { key text number } } }`, { id: older });
    expect(read.customer.name).toBe('Custom Keep');
    expect(read.customer.customFields.find((v: { key: string }) => v.key === 'company_size').number).toBe(250);
  });

  describe('records that are members of the same campaign, or both have a primary contact', () => {
    const STATS = `query($id: ID!) { campaignStats(id: $id) { targeted sent responses responseRate conversions optedOut controlGroup opportunities excluded { reason count } } }`;
    const owner = () => toGlobalId('User', users.rep);
    const mutate = async (mutation: string, input: Record<string, unknown>) => ok(mutation, input);
    /** A running campaign over the two customers, sent (when `send`), with the given responses by customer. */
    async function campaign(x: string, y: string, opts: { channel?: string; control?: number; send?: boolean; responses?: Array<[string, string]> } = {}): Promise<string> {
      const c = await mutate(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } ${UE} } }`, {
        name: `Merge campaign ${Math.random()}`,
        channel: opts.channel ?? 'EMAIL',
        audience: { id: { in: [x, y] } },
        controlGroupShare: opts.control ?? 0,
      });
      const id = c.campaign.id;
      await mutate(`mutation($input: CampaignIdInput!) { launchCampaign(input: $input) { targeted ${UE} } }`, { id });
      if (opts.send !== false) await mutate(`mutation($input: MarkCampaignSentInput!) { markCampaignSent(input: $input) { sent ${UE} } }`, { id });
      for (const [customerId, kind] of opts.responses ?? []) {
        await mutate(`mutation($input: RecordCampaignResponseInput!) { recordCampaignResponse(input: $input) { member { id } ${UE} } }`, { campaignId: id, customerId, kind });
      }
      return id;
    }
    const memberRows = async (id: string) =>
      app.db.query(`SELECT customer_id, status, excluded_reason, sent_at, responded_at, converted_at, opted_out_at, opportunity_id FROM campaign_members WHERE campaign_id = $1`, [uuid(id)]);
    const stats = async (id: string) => (await app.ok(STATS, { id })).campaignStats;

    let x = '';
    let y = '';
    const campaigns: Record<string, string> = {};
    beforeAll(async () => {
      const consents = [{ channel: 'EMAIL', granted: true }];
      x = (await ok(CUSTOMER, { name: 'Camp Survivor', ownerId: owner(), consents })).customer.id;
      y = (await ok(CUSTOMER, { name: 'Camp Duplicate', ownerId: owner(), consents })).customer.id;
      campaigns.responded = await campaign(x, y, { responses: [[y, 'RESPONDED']] });
      campaigns.control = await campaign(x, y, { control: 0.5 });
      campaigns.optedOut = await campaign(x, y, { responses: [[x, 'OPTED_OUT'], [y, 'CONVERTED']] });
      campaigns.excluded = await campaign(x, y, { channel: 'SMS', send: false });
      campaigns.notShared = await campaign(y, y, { responses: [[y, 'RESPONDED']] });
      // The duplicate's responder handed to sales: the kept member keeps the deal.
      const [dm] = await app.db.query(`SELECT id FROM campaign_members WHERE campaign_id = $1 AND customer_id = $2`, [uuid(campaigns.responded), uuid(y)]);
      await mutate(`mutation($input: HandCampaignMemberToSalesInput!) { handCampaignMemberToSales(input: $input) { created ${UE} } }`, { memberId: toGlobalId('CampaignMember', dm.id), kind: 'OPPORTUNITY' });
      for (const [customerId, name] of [[x, 'Xavier'], [y, 'Yvonne']]) {
        await mutate(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${UE} } }`, { customerId, name, isPrimary: true });
      }
    });

    it('keeps one member per campaign with the most telling status and the earliest times, the figures counting the customer once', async () => {
      const before = {
        responded: await stats(campaigns.responded),
        control: await stats(campaigns.control),
        optedOut: await stats(campaigns.optedOut),
        excluded: await stats(campaigns.excluded),
      };
      expect(before.responded).toMatchObject({ targeted: 2, sent: 2, responses: 1, responseRate: 0.5, opportunities: 1 });
      expect(before.control).toMatchObject({ targeted: 1, sent: 1, controlGroup: 1 });
      expect(before.optedOut).toMatchObject({ targeted: 2, sent: 2, responses: 1, conversions: 1, optedOut: 1 });
      expect(before.excluded).toMatchObject({ targeted: 0, sent: 0 });
      const rows = { responded: await memberRows(campaigns.responded), optedOut: await memberRows(campaigns.optedOut) };

      const res = await ok(MERGE, { survivorId: x, mergedIds: [y] }, rep);
      expect(res.customer.id).toBe(x);

      // RESPONDED beats SENT; the duplicate's response time and its deal are kept.
      const responded = await memberRows(campaigns.responded);
      const dupRow = rows.responded.find((r: any) => r.customer_id === uuid(y));
      expect(responded).toEqual([{ ...dupRow, customer_id: uuid(x), status: 'RESPONDED', sent_at: dupRow.sent_at }]);
      expect(await stats(campaigns.responded)).toMatchObject({ targeted: 1, sent: 1, responses: 1, responseRate: 1, opportunities: 1 });
      // Held out under one record but sent under the other: they were reached, so they count as sent, not as control.
      expect(await memberRows(campaigns.control)).toEqual([expect.objectContaining({ customer_id: uuid(x), status: 'SENT', excluded_reason: null })]);
      expect(await stats(campaigns.control)).toMatchObject({ targeted: 1, sent: 1, controlGroup: 0 });
      // The opt-out wins over the conversion, whose time is kept.
      const converted = rows.optedOut.find((r: any) => r.status === 'CONVERTED');
      const optedOut = rows.optedOut.find((r: any) => r.status === 'OPTED_OUT');
      expect(await memberRows(campaigns.optedOut)).toEqual([
        expect.objectContaining({ customer_id: uuid(x), status: 'OPTED_OUT', opted_out_at: optedOut.opted_out_at, converted_at: converted.converted_at, responded_at: converted.responded_at }),
      ]);
      expect(await stats(campaigns.optedOut)).toMatchObject({ targeted: 1, sent: 1, responses: 1, conversions: 1, optedOut: 1 });
      // Excluded only when both were.
      expect(await memberRows(campaigns.excluded)).toEqual([expect.objectContaining({ customer_id: uuid(x), status: 'EXCLUDED', excluded_reason: 'NO_CONSENT' })]);
      expect((await stats(campaigns.excluded)).excluded).toContainEqual({ reason: 'NO_CONSENT', count: 1 });
      // A campaign only the duplicate was in simply moves.
      expect(await memberRows(campaigns.notShared)).toEqual([expect.objectContaining({ customer_id: uuid(x), status: 'RESPONDED' })]);
      const audit = await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'campaignMember.merge'`);
      expect(audit[0].n).toBe(4);
    });

    it('keeps the survivor’s primary contact primary and the duplicate’s as a plain contact', async () => {
      const contacts = await app.db.query(`SELECT name, is_primary FROM contacts WHERE customer_id = $1 AND name IN ('Xavier', 'Yvonne') ORDER BY name`, [uuid(x)]);
      expect(contacts).toEqual([{ name: 'Xavier', is_primary: true }, { name: 'Yvonne', is_primary: false }]);
    });
  });
});
