// The job worker's own recovery (src/core/jobs.ts): an API process running a worker in-process, as `npm start` does,
// goes on scoring writes after a database outage without a restart. The request path's outage behaviour is in
// outage.test.ts. The test waits for the scores (the event), whatever path the worker's recovery takes.

import type { Client } from 'pg';
import { fromGlobalId } from '../../src/common/ids';
import { adminClient, bringDatabaseBack, databaseName, takeDatabaseDown } from '../support/outage';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
let admin: Client;
let name: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await adminClient();
  name = databaseName(app.url);
});
afterAll(async () => {
  await bringDatabaseBack(admin, name);
  await admin.end();
  await app.close();
});

const occasions = async (id: string) => (await app.db.query(`SELECT occasions FROM customer_scores WHERE customer_id = $1`, [fromGlobalId(id)!.id]))[0]?.occasions;

/**
 * A request as the partner contract asks clients to send it: again after SERVICE_UNAVAILABLE (nothing was written). After
 * the outage the API's pool still holds connections the server terminated; each one a request draws fails once and is
 * dropped, so the retries end when the dead connections are gone, whatever the time that takes.
 */
async function okRetrying(query: string, variables: Record<string, unknown>): Promise<any> {
  for (;;) {
    const res = await app.gql(query, variables);
    if (res.errors?.length && res.errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) continue;
    expect(res.errors).toBeUndefined();
    return res.data;
  }
}

async function customerWithOrder(name: string): Promise<string> {
  const { createCustomer } = await okRetrying(`mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name });
  const id = createCustomer.customer.id;
  const { recordOrder } = await okRetrying(
    `mutation($id: ID!) { recordOrder(input: { customerId: $id, lines: [{ description: "Beans", quantity: 1, unitPrice: "9.50" }] }) { userErrors { message } } }`,
    { id },
  );
  expect(recordOrder.userErrors).toEqual([]);
  return id;
}

it('goes on scoring writes after the database drops every connection, without a restart', async () => {
  const before = await customerWithOrder('Before the outage');
  await app.scoresSettled();
  expect(await occasions(before)).toBe(1);

  // Every connection of the worker (its jobs, its LISTEN) and of the API is terminated, and none can be made.
  await takeDatabaseDown(admin, name);
  await bringDatabaseBack(admin, name);

  const after = await customerWithOrder('After the outage');
  await app.scoresSettled();
  expect(await occasions(after)).toBe(1);
});
