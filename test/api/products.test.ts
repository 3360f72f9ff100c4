import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const CREATE = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) {
    product { id sku name category active version price { amount currencyCode } cost { amount currencyCode } }
    userErrors { field message code }
  }
}`;
const UPDATE = `mutation($input: UpdateProductInput!) {
  updateProduct(input: $input) { product { sku name category active version price { amount } cost { amount } } userErrors { field code } }
}`;

async function createProduct(input: Record<string, unknown>) {
  const data = await app.ok(CREATE, { input });
  expect(data.createProduct.userErrors).toEqual([]);
  return data.createProduct.product;
}

const count = async () => (await app.db.query('SELECT count(*)::int AS n FROM products'))[0].n as number;

describe('products', () => {
  it('creates a product in the base currency, active by default, with a cost of 0 unless given', async () => {
    const p = await createProduct({ sku: ' ESP-1 ', name: 'Espresso machine', category: 'Espresso machines', unitPrice: '499.90' });
    expect(p).toMatchObject({
      sku: 'ESP-1',
      name: 'Espresso machine',
      category: 'Espresso machines',
      active: true,
      version: 1,
      price: { amount: '499.90', currencyCode: 'USD' },
      cost: { amount: '0.00', currencyCode: 'USD' },
    });
    const bySku = await app.ok(`{ product(sku: "ESP-1") { id } }`);
    expect(bySku.product.id).toBe(p.id);
    const byId = await app.ok(`query($id: ID!) { product(id: $id) { sku } node(id: $id) { ... on Product { name } } }`, { id: p.id });
    expect(byId).toEqual({ product: { sku: 'ESP-1' }, node: { name: 'Espresso machine' } });
  });

  it('rejects a taken SKU, blank names, negative prices and fractions of a cent with userErrors and writes nothing', async () => {
    await createProduct({ sku: 'DUP-1', name: 'First', unitPrice: '1' });
    const before = await count();
    const dup = await app.ok(CREATE, { input: { sku: 'DUP-1', name: 'Second', unitPrice: '2' } });
    expect(dup.createProduct).toEqual({ product: null, userErrors: [expect.objectContaining({ field: ['input', 'sku'], code: 'TAKEN' })] });
    const bad = await app.ok(CREATE, { input: { sku: ' ', name: '', unitPrice: '-1', unitCost: '0.001' } });
    expect(bad.createProduct.userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'sku'], code: 'REQUIRED' }),
      expect.objectContaining({ field: ['input', 'name'], code: 'REQUIRED' }),
      expect.objectContaining({ field: ['input', 'unitPrice'], code: 'OUT_OF_RANGE' }),
      expect.objectContaining({ field: ['input', 'unitCost'], code: 'INVALID' }),
    ]);
    expect(await count()).toBe(before);
  });

  it('rejects a price that is not a decimal string as a typed GraphQL error', async () => {
    const res = await app.gql(CREATE, { input: { sku: 'X', name: 'X', unitPrice: 'ten' } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('updates only the given fields and detects concurrent edits through expectedVersion', async () => {
    const p = await createProduct({ sku: 'GRI-1', name: 'Grinder', category: 'Grinders', unitPrice: '120.00', unitCost: '60.00' });
    const ok = await app.ok(UPDATE, { input: { id: p.id, expectedVersion: 1, unitPrice: '129.5', category: null, active: false } });
    expect(ok.updateProduct).toEqual({
      product: { sku: 'GRI-1', name: 'Grinder', category: null, active: false, version: 2, price: { amount: '129.50' }, cost: { amount: '60.00' } },
      userErrors: [],
    });
    const stale = await app.ok(UPDATE, { input: { id: p.id, expectedVersion: 1, name: 'Mill' } });
    expect(stale.updateProduct).toEqual({ product: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'CONFLICT' }] });
    const cleared = await app.ok(UPDATE, { input: { id: p.id, unitPrice: null, name: ' ' } });
    expect(cleared.updateProduct.userErrors).toEqual([
      { field: ['input', 'name'], code: 'REQUIRED' },
      { field: ['input', 'unitPrice'], code: 'REQUIRED' },
    ]);
    await createProduct({ sku: 'GRI-2', name: 'Other grinder', unitPrice: '1' });
    const taken = await app.ok(UPDATE, { input: { id: p.id, sku: 'GRI-2' } });
    expect(taken.updateProduct.userErrors).toEqual([{ field: ['input', 'sku'], code: 'TAKEN' }]);
    const [row] = await app.db.query(`SELECT sku, name, unit_price FROM products WHERE id = (SELECT id FROM products WHERE sku = 'GRI-1')`);
    expect(row).toEqual({ sku: 'GRI-1', name: 'Grinder', unit_price: '129.5000' });
    const missing = await app.ok(UPDATE, { input: { id: 'nope' } });
    expect(missing.updateProduct.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
  });

  it('soft-deletes and restores a product', async () => {
    const p = await createProduct({ sku: 'TMP-1', name: 'Temporary', unitPrice: '5' });
    const DEL = `mutation($id: ID!) { deleteProduct(input: { id: $id }) { product { deletedAt version } userErrors { code } } }`;
    const RES = `mutation($id: ID!) { restoreProduct(input: { id: $id }) { product { deletedAt version } userErrors { code } } }`;
    const del = await app.ok(DEL, { id: p.id });
    expect(del.deleteProduct.product.deletedAt).not.toBeNull();
    expect(del.deleteProduct.product.version).toBe(2);
    expect((await app.ok(`query($id: ID!) { product(id: $id) { id } }`, { id: p.id })).product).toBeNull();
    expect((await app.ok(`{ product(sku: "TMP-1") { id } }`)).product).toBeNull();
    expect((await app.ok(`{ products(filter: { sku: { eq: "TMP-1" } }) { totalCount } }`)).products.totalCount).toBe(0);
    expect((await app.ok(`{ products(filter: { sku: { eq: "TMP-1" } }, includeDeleted: true) { totalCount } }`)).products.totalCount).toBe(1);
    expect((await app.ok(DEL, { id: p.id })).deleteProduct.userErrors).toEqual([{ code: 'ALREADY_DELETED' }]);
    expect((await app.ok(RES, { id: p.id })).restoreProduct).toEqual({ product: { deletedAt: null, version: 3 }, userErrors: [] });
    expect((await app.ok(RES, { id: p.id })).restoreProduct.userErrors).toEqual([{ code: 'NOT_DELETED' }]);
    const unknown = await app.ok(DEL, { id: Buffer.from('Product:00000000-0000-0000-0000-000000000000').toString('base64url') });
    expect(unknown.deleteProduct.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  });
});

describe('product lists', () => {
  beforeAll(async () => {
    for (let i = 0; i < 12; i++) {
      await createProduct({ sku: `CAT-${String(i).padStart(2, '0')}`, name: `Catalog item ${String(11 - i).padStart(2, '0')}`, category: i % 3 ? 'Cups' : 'Beans', unitPrice: `${i}.50`, active: i !== 4 });
    }
  });

  it('filters on category, active and price and sorts by price', async () => {
    const { products } = await app.ok(`{
      products(first: 100, orderBy: { field: PRICE, direction: DESC }, filter: {
        sku: { contains: "cat-" }, category: { eq: "Cups" }, active: { eq: true }, price: { gte: "2.5", lt: "10.50" }
      }) { totalCount nodes { sku price { amount } } }
    }`);
    // Cups: 1,2,4,5,7,8,10,11; inactive: 4; price in [2.50, 10.50): 2..10
    expect(products.nodes.map((n: { sku: string }) => n.sku)).toEqual(['CAT-08', 'CAT-07', 'CAT-05', 'CAT-02']);
    expect(products.totalCount).toBe(4);
  });

  it('pages through the catalog by SKU in both directions', async () => {
    const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
      products(first: $first, after: $after, last: $last, before: $before, orderBy: { field: SKU }, filter: { sku: { contains: "CAT-" } }) {
        nodes { sku } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const first = await app.ok(PAGE, { first: 5 });
    expect(first.products.nodes.map((n: { sku: string }) => n.sku)).toEqual(['CAT-00', 'CAT-01', 'CAT-02', 'CAT-03', 'CAT-04']);
    const second = await app.ok(PAGE, { first: 5, after: first.products.pageInfo.endCursor });
    expect(second.products.nodes.map((n: { sku: string }) => n.sku)).toEqual(['CAT-05', 'CAT-06', 'CAT-07', 'CAT-08', 'CAT-09']);
    const back = await app.ok(PAGE, { last: 3, before: second.products.pageInfo.startCursor });
    expect(back.products.nodes.map((n: { sku: string }) => n.sku)).toEqual(['CAT-02', 'CAT-03', 'CAT-04']);
    expect(back.products.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const byName = await app.ok(`{ products(first: 2, filter: { sku: { contains: "CAT-" } }) { nodes { name } } }`);
    expect(byName.products.nodes).toEqual([{ name: 'Catalog item 00' }, { name: 'Catalog item 01' }]);
  });
});
