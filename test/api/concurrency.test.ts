import { decodeIdOf } from '../../src/common/ids';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { name version } userErrors { field code } } }`;

describe('concurrent edits', () => {
  it('let exactly one of 20 updates that read the same version win; the other 19 get CONFLICT and write nothing', async () => {
    const created = await app.ok(`mutation { createCustomer(input: { name: "Contested" }) { customer { id version } } }`);
    const { id, version } = created.createCustomer.customer;

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app.gql(UPDATE, { input: { id, name: `Editor ${i}`, expectedVersion: version } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const payloads = answers.map((a) => a.data.updateCustomer);
    const winners = payloads.filter((p) => p.customer);
    const losers = payloads.filter((p) => !p.customer);
    expect(winners).toHaveLength(1);
    expect(winners[0].customer.version).toBe(version + 1);
    expect(losers).toHaveLength(19);
    for (const p of losers) expect(p.userErrors).toEqual([{ field: ['input', 'expectedVersion'], code: 'CONFLICT' }]);

    const [row] = await app.db.query(`SELECT name, version FROM customers WHERE id = $1`, [decodeIdOf('Customer', id)]);
    expect(row).toEqual({ name: winners[0].customer.name, version: version + 1 });
  });
});
