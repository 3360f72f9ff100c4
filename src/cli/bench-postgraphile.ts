import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { log } from '../core/logger';

/**
 * PostGraphile 5 beside Rapport in `npm run bench -- --postgraphile` (issue 7): the same two list workloads, served
 * from the same database by PostGraphile's amber preset. It is installed on demand under .data/postgraphile, never
 * as a dependency of the project, and loaded from there untyped (its types are not in the project either).
 */

export const POSTGRAPHILE_VERSION = '5.1.5';
/** PostGraphile takes pg as a peer: the project's own version, read from it, so that both sides speak to Postgres alike. */
const PG_VERSION = (JSON.parse(fs.readFileSync(require.resolve('pg/package.json'), 'utf8')) as { version: string }).version;

/** A require from the install prefix: what it returns is untyped, PostGraphile's types are not in the project. */
type Loaded = (id: string) => any;

/** Installs PostGraphile into `prefix` unless that exact version is there already, and returns a require from it. */
export function installPostGraphile(prefix: string): Loaded {
  const manifest = path.join(prefix, 'node_modules', 'postgraphile', 'package.json');
  const installedVersion = () => (fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version : undefined);
  if (installedVersion() !== POSTGRAPHILE_VERSION) {
    log.warn(`installing postgraphile@${POSTGRAPHILE_VERSION} into ${prefix} for the comparison (once; not a dependency of the project)`);
    fs.mkdirSync(prefix, { recursive: true });
    // npm's output goes to stderr: stdout carries the report.
    const npm = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, `postgraphile@${POSTGRAPHILE_VERSION}`, `pg@${PG_VERSION}`], {
      stdio: ['ignore', 2, 2],
    });
    if (npm.status !== 0 || installedVersion() !== POSTGRAPHILE_VERSION) throw new Error(`npm could not install postgraphile@${POSTGRAPHILE_VERSION} into ${prefix}`);
  }
  return createRequire(path.join(prefix, 'package.json'));
}

/**
 * PostGraphile 5 asks for Node 22 and, on this project's Node 20, trips only on Promise.withResolvers (grafast,
 * @dataplan/pg, grafserv): it is given the standard one, in this process and only when the runtime lacks it.
 */
function provideNode22Promises(): void {
  const promise = Promise as unknown as { withResolvers?: () => unknown };
  promise.withResolvers ??= () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason?: unknown) => void;
    const pending = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise: pending, resolve, reject };
  };
}

export interface PostGraphileServer {
  /** W1 for PostGraphile: the first page of the customer list screen. */
  listScreen(): Promise<ListScreenRow[]>;
  /** W2 for PostGraphile: the first page by predicted CLV. */
  pageByPredictedClv(): Promise<ScoredCustomerRow[]>;
  close(): Promise<void>;
}

export interface ListScreenRow {
  id: string;
  name: string;
  email: string | null;
  userByOwnerId: { name: string; email: string } | null;
  ordersByCustomerId: { nodes: { number: string; placedAt: string; status: string; totalAmount: string; currency: string }[] };
  contactsByCustomerId: { nodes: { name: string; email: string | null; isPrimary: boolean }[] };
}

export interface ScoredCustomerRow {
  segment: string;
  churnLevel: string | null;
  churnProbability: number | null;
  predictedClv: string | null;
  customerByCustomerId: { name: string } | null;
}

/**
 * W1 in PostGraphile's default names. `condition: { deletedAt: null }` is `deleted_at IS NULL` in v5 (v4 ignored a
 * null). Differences from LIST_SCREEN and listFloor: the order total is the table's two columns (totalAmount,
 * currency) rather than a Money object, `id` is PostGraphile's node id, and without hasNextPage it reads 50 rows, not 51.
 */
const LIST_SCREEN = `query {
  allCustomers(first: 50, orderBy: [NAME_ASC, ROW_ID_ASC], condition: { deletedAt: null }) {
    nodes {
      id name email
      userByOwnerId { name email }
      ordersByCustomerId(first: 5, orderBy: [PLACED_AT_DESC, ROW_ID_DESC], condition: { deletedAt: null }) { nodes { number placedAt status totalAmount currency } }
      contactsByCustomerId(first: 3, orderBy: [NAME_ASC, ROW_ID_ASC], condition: { deletedAt: null }) { nodes { name email isPrimary } }
    }
    pageInfo { endCursor }
  }
}`;

/**
 * W2 from the scores table, as pageFloor reads it. Rapport's own query leaves deleted customers out by
 * customers.deleted_at; here it is the scores' copy of that flag (customer_deleted), kept by the same writes.
 */
const PAGE_BY_PREDICTED_CLV = `query {
  allCustomerScores(first: 50, orderBy: [PREDICTED_CLV_NULLS_LAST_DESC, CUSTOMER_ID_DESC], condition: { customerDeleted: false }) {
    nodes { segment churnLevel churnProbability predictedClv customerByCustomerId { name } }
    pageInfo { endCursor }
  }
}`;

/**
 * Starts PostGraphile's own HTTP server (grafserv on node:http) on a free loopback port over `databaseUrl`: the amber
 * preset, schema public, a pool of 10 as Rapport's. It is given what it needs to answer the same questions and no more.
 */
export async function startPostGraphile(load: Loaded, databaseUrl: string): Promise<PostGraphileServer> {
  // Grafast reads its mode when loaded; Rapport's side of the bench runs as production, so does this one.
  process.env.GRAPHILE_ENV ??= 'production';
  provideNode22Promises();
  const { postgraphile } = load('postgraphile');
  const { PostGraphileAmberPreset } = load('postgraphile/presets/amber');
  const { makePgService } = load('postgraphile/adaptors/pg');
  const { grafserv } = load('postgraphile/grafserv/node');
  const { jsonPgSmartTags, addPgTableOrderBy, orderByAscDesc } = load('postgraphile/utils');

  const pgService = makePgService({ connectionString: databaseUrl, schemas: ['public'], pubsub: false, poolConfig: { max: 10 } });
  const preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [
      jsonPgSmartTags({
        version: 1,
        config: {
          class: {
            // PostGraphile follows declared foreign keys only, and customer_scores.customer_id has none in the schema.
            customer_scores: { tags: { foreignKey: '(customer_id) references customers (id)' }, attribute: { customer_deleted: { tags: { isIndexed: true } } } },
            // Amber offers conditions only on indexed columns; these filters ride on the (customer_id, …) indexes instead.
            orders: { attribute: { deleted_at: { tags: { isIndexed: true } } } },
            contacts: { attribute: { deleted_at: { tags: { isIndexed: true } } } },
          },
        },
      }),
      // Rapport and the floor sort predicted CLV DESC NULLS LAST (an index has that order); PostgreSQL's DESC puts nulls
      // first. Only this sort is given the option: amber's pgOrderByNullsLast would change every sort, the orders' too.
      addPgTableOrderBy({ schemaName: 'public', tableName: 'customer_scores' }, () => orderByAscDesc('PREDICTED_CLV_NULLS_LAST', 'predicted_clv', { nulls: 'last' })),
    ],
    pgServices: [pgService],
    grafserv: { graphiql: false, websockets: false },
  };
  const pgl = postgraphile(preset);
  const server = createServer();
  const release = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pgl.release();
    await pgService.release();
  };
  try {
    const serv = pgl.createServ(grafserv);
    await serv.addTo(server);
    await pgl.getSchema(); // introspection and the schema build happen before the first timed request
    server.listen(0, '127.0.0.1');
    await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  } catch (e) {
    await release().catch(() => undefined);
    throw e;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const post = async (query: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors || !res.ok) throw new Error(`PostGraphile query failed (HTTP ${res.status}): ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  return {
    listScreen: async () => (await post(LIST_SCREEN)).allCustomers.nodes,
    pageByPredictedClv: async () => (await post(PAGE_BY_PREDICTED_CLV)).allCustomerScores.nodes,
    close: release,
  };
}

/** Throws unless PostGraphile's page names the same customers in the same order as the floor's: a comparison of the same data. */
export function assertSameCustomers(workload: string, postgraphile: string[], floor: string[]): void {
  const expected = floor.slice(0, 50);
  const differs = postgraphile.findIndex((name, i) => name !== expected[i]);
  if (postgraphile.length !== 50 || expected.length !== 50 || differs >= 0)
    throw new Error(
      `${workload}: PostGraphile returned ${postgraphile.length} rows, the floor ${expected.length}` +
        (differs >= 0 ? `; row ${differs} is ${JSON.stringify(postgraphile[differs])}, the floor's ${JSON.stringify(expected[differs])}` : ''),
    );
}
