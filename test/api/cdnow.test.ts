import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOrders } from '../../src/importer/order-import';
import { CDNOW_DIR } from '../support/shared-data';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Ground truth on real data, through the whole stack: the CDNOW sample goes in through the orders
 * importer and the models are fitted through the API. The `lifetimes` library reports, for the
 * 39-week calibration period ending 1997-09-30: BG/NBD r 0.243, α 4.414, a 0.793, b 2.426 with a
 * log-likelihood of −9582.43, and Gamma-Gamma p 6.25, q 3.74, γ 15.44.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const rows = fs.readFileSync(path.join(CDNOW_DIR, 'CDNOW_sample.txt'), 'utf8').split(/\r?\n/).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-cdnow-')), 'orders.csv');
  fs.writeFileSync(file, ['customer_ref,placed_at,total', ...rows.map(([master, , date, , dollars]) => `${master},${date},${dollars}`)].join('\n'));
  const imported = await importOrders(app.db, file, app.config);
  expect(imported).toMatchObject({ ok: true, imported: 6919, createdCustomers: 2357 });
});
afterAll(() => app.close());

it('recovers the published BG/NBD and Gamma-Gamma fits of the CDNOW sample through fitCustomerModel', async () => {
  const { fitCustomerModel } = await app.ok(`mutation {
    fitCustomerModel(input: { asOf: "1997-09-30T00:00:00Z", timeUnit: WEEK, basis: REVENUE, activate: true }) {
      model { customers timeUnit basis bgnbd { r alpha a b logLikelihood } gammaGamma { p q gamma customers } }
      userErrors { field message code }
    }
  }`);
  expect(fitCustomerModel.userErrors).toEqual([]);
  const { model } = fitCustomerModel;
  expect(model).toMatchObject({ customers: 2357, timeUnit: 'WEEK', basis: 'REVENUE' });
  expect(model.bgnbd.r).toBeCloseTo(0.243, 3);
  expect(model.bgnbd.alpha).toBeCloseTo(4.414, 2);
  expect(model.bgnbd.a).toBeCloseTo(0.793, 3);
  expect(model.bgnbd.b).toBeCloseTo(2.426, 2);
  expect(Math.abs(model.bgnbd.logLikelihood - -9582.43)).toBeLessThan(0.05);
  expect(model.gammaGamma.customers).toBe(946);
  expect(model.gammaGamma.p).toBeCloseTo(6.25, 1);
  expect(model.gammaGamma.q).toBeCloseTo(3.74, 1);
  expect(model.gammaGamma.gamma).toBeCloseTo(15.44, 0);
});
