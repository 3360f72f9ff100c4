import { toGlobalId } from '../../src/common/ids';
import { duplicateScore } from '../../src/customer/customer.duplicates';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * One record per customer: duplicate scoring on crafted pairs, createCustomer warning (or refusing) with the
 * candidates, the review list of pairs, and a sales rep seeing only pairs from their own book.
 */

let app: TestApp;
let rita: GraphQLCaller;
const ids = { rita: '', ben: '' };
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
  customer { id } userErrors { field code } possibleDuplicates { customer { id name } score reasons { reason similarity } } } }`;

async function create(input: Record<string, unknown>, who: GraphQLCaller = app) {
  return (await who.ok(CREATE, { input })).createCustomer;
}

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string) => insertStaff(app.db, name);
  ids.rita = await user('Rita');
  ids.ben = await user('Ben');
  rita = await app.as({ role: 'SALES_REP', userId: ids.rita });
});
afterAll(() => app.close());

describe('the duplicate score', () => {
  it('weighs each reason and combines them as independent evidence', () => {
    expect(duplicateScore([{ reason: 'EMAIL', similarity: 1 }])).toBeCloseTo(0.95, 12);
    expect(duplicateScore([{ reason: 'PHONE', similarity: 1 }])).toBeCloseTo(0.85, 12);
    expect(duplicateScore([{ reason: 'NAME_AND_BIRTHDAY', similarity: 0.8 }])).toBeCloseTo(0.9, 12);
    expect(duplicateScore([{ reason: 'NAME_AND_ADDRESS', similarity: 0.6 }])).toBeCloseTo(0.7, 12);
    // Email and phone together: 1 − 0.05 × 0.15.
    expect(duplicateScore([{ reason: 'EMAIL', similarity: 1 }, { reason: 'PHONE', similarity: 1 }])).toBeCloseTo(0.9925, 12);
    expect(duplicateScore([])).toBe(0);
  });
});

describe('createCustomer', () => {
  let erika: string;
  beforeAll(async () => {
    erika = (await create({ name: 'Erika Mustermann', email: 'erika@example.com', phone: '+49 30 1234567', birthday: '1980-05-17', address: { postalCode: '10115', city: 'Berlin', country: 'DE' }, ownerId: toGlobalId('User', ids.rita) })).customer.id;
  });

  it('creates a customer that looks like one that exists, and lists it with the reasons and score', async () => {
    const res = await create({ name: 'Erika Musterman', email: 'ERIKA@example.com', phone: '+49-30-1234567', birthday: '1980-05-17' });
    expect(res.userErrors).toEqual([]);
    expect(res.customer).not.toBeNull();
    const [dup] = res.possibleDuplicates;
    expect(dup.customer).toEqual({ id: erika, name: 'Erika Mustermann' });
    expect(dup.reasons.map((r: { reason: string }) => r.reason)).toEqual(['EMAIL', 'PHONE', 'NAME_AND_BIRTHDAY']);
    const nameMatch = dup.reasons.find((r: { reason: string }) => r.reason === 'NAME_AND_BIRTHDAY');
    // The score is the documented combination of what matched, computed independently here.
    expect(dup.score).toBeCloseTo(duplicateScore(dup.reasons), 12);
    expect(nameMatch.similarity).toBeGreaterThan(0.5);
    expect(nameMatch.similarity).toBeLessThan(1);
  });

  it('finds a similar name at the same address, and nothing for a stranger or a short phone', async () => {
    const address = await create({ name: 'Erika Mustermann-Schulz', address: { postalCode: '10115', city: 'BERLIN', country: 'DE' } });
    expect(address.possibleDuplicates.map((d: { customer: { id: string }; reasons: Array<{ reason: string }> }) => [d.customer.id, d.reasons.map((r) => r.reason)])).toContainEqual([erika, ['NAME_AND_ADDRESS']]);
    expect((await create({ name: 'Hans Schmidt', birthday: '1980-05-17', phone: '1234' })).possibleDuplicates).toEqual([]);
  });

  it('refuses, when asked, with a POSSIBLE_DUPLICATE error and the candidates, writing nothing', async () => {
    const [{ n: before }] = await app.db.query(`SELECT count(*)::int AS n FROM customers`);
    const res = await create({ name: 'E. Mustermann', email: 'erika@example.com', onDuplicate: 'REFUSE' });
    expect(res.customer).toBeNull();
    expect(res.userErrors).toEqual([{ field: ['input'], code: 'POSSIBLE_DUPLICATE' }]);
    expect(res.possibleDuplicates.map((d: { customer: { id: string } }) => d.customer.id)).toContain(erika);
    expect(await app.db.query(`SELECT count(*)::int AS n FROM customers`)).toEqual([{ n: before }]);
    // Without a match, REFUSE creates as usual.
    expect((await create({ name: 'Nobody Like Her', onDuplicate: 'REFUSE' })).userErrors).toEqual([]);
  });

  it('does not reveal another rep’s customer to a sales rep', async () => {
    const res = await create({ name: 'Ben’s Customer', email: 'bens@example.com', ownerId: toGlobalId('User', ids.ben) });
    expect(res.userErrors).toEqual([]);
    const mine = await create({ name: 'Lookalike', email: 'bens@example.com' }, rita);
    expect(mine.userErrors).toEqual([]);
    expect(mine.possibleDuplicates).toEqual([]);
  });
});

describe('duplicateCandidates', () => {
  const PAIRS = `query($first: Int, $minScore: Float) { duplicateCandidates(first: $first, minScore: $minScore) {
    customer { id name } duplicate { id name } score reasons { reason } } }`;

  it('lists each pair once, older record first, best first, above the minimum score', async () => {
    const { duplicateCandidates: pairs } = await app.ok(PAIRS, { first: 100, minScore: 0 });
    expect(pairs.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < pairs.length; i++) expect(pairs[i - 1].score).toBeGreaterThanOrEqual(pairs[i].score);
    const keys = pairs.map((p: { customer: { id: string }; duplicate: { id: string } }) => [p.customer.id, p.duplicate.id].sort().join());
    expect(new Set(keys).size).toBe(keys.length);
    const top = pairs[0];
    expect(top.customer.name).toBe('Erika Mustermann');
    expect(top.reasons.map((r: { reason: string }) => r.reason)).toEqual(expect.arrayContaining(['EMAIL', 'PHONE']));
    const strict = (await app.ok(PAIRS, { first: 100, minScore: 0.99 })).duplicateCandidates;
    for (const p of strict) expect(p.score).toBeGreaterThanOrEqual(0.99);
    expect((await app.ok(PAIRS, { first: 1, minScore: 0 })).duplicateCandidates).toHaveLength(1);
  });

  it('shows a sales rep only pairs within their book, and refuses bad arguments', async () => {
    // Rita records Erika twice: that pair is hers to review; the pairs with other books are not shown to her.
    expect((await create({ name: 'Erika Mustermann', email: 'erika@example.com' }, rita)).possibleDuplicates).toHaveLength(1);
    const { duplicateCandidates: pairs } = await rita.ok(PAIRS, { first: 100, minScore: 0 });
    expect(pairs).toHaveLength(1);
    const [{ ids: book }] = await app.db.query(`SELECT array_agg(id) AS ids FROM customers WHERE owner_id = $1`, [ids.rita]);
    const inBook = new Set((book as string[]).map((id) => toGlobalId('Customer', id)));
    for (const p of pairs) expect([inBook.has(p.customer.id), inBook.has(p.duplicate.id)]).toEqual([true, true]);
    for (const vars of [{ first: 0 }, { first: 101 }, { minScore: 1.5 }, { minScore: -1 }]) {
      const res = await app.gql(PAIRS, vars);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
