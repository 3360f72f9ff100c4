import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { insertApiKey } from '../../src/apikey/api-key.service';
import { UserErrors } from '../../src/common/errors';
import { SYSTEM } from '../../src/core/actor';
import { AccessRole, Scope } from '../../src/core/roles';
import { createDataSource, createJobsDataSource, servingPoolLimits } from '../../src/db/data-source';
import { AppOptions, createApp } from '../../src/server/app';
import { startWorker } from '../../src/server/worker';
import { Config, loadConfig } from '../../src/core/config';

const TEMPLATE_DB = 'rapport_template';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }>;
  extensions?: { sqlStatements?: number; [k: string]: unknown };
}

/** Calls /graphql with one credential. */
export interface GraphQLCaller {
  /** The credential's key, for clients that set the header themselves. */
  key: string;
  /** POST /graphql; the response body plus the HTTP status. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any GraphQL error. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface KeyOptions {
  role: AccessRole | `${AccessRole}`;
  scopes?: Array<Scope | `${Scope}`>;
  /** The user (uuid) the key acts as; SALES_REP keys need one. */
  userId?: string | null;
}

export interface TestApp extends GraphQLCaller {
  db: DataSource;
  url: string;
  config: Config;
  http: ReturnType<typeof request>;
  /** The ADMIN API key `gql` and `ok` send unless a test passes its own `authorization` header. */
  adminKey: string;
  /** `{ authorization: 'Bearer <admin key>' }`, for tests that use `http` directly. */
  auth: Record<string, string>;
  /** A new API key, created as the command line would. */
  createKey(options: KeyOptions): Promise<string>;
  /** A caller with a new key of this role (and scopes, user). */
  as(options: KeyOptions): Promise<GraphQLCaller>;
  /**
   * Resolves once the job worker has caught up: no rescore request waiting and no job running or due. The event, not
   * a clock: however slow the machine, this waits for the rows to be written.
   */
  scoresSettled(): Promise<void>;
  /** Counts the SQL statements one request runs. */
  statements(query: string, variables?: Record<string, unknown>): Promise<number>;
  /** Serves the app on an ephemeral port (once) for clients that need real HTTP; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.RAPPORT_TEST_ADMIN_URL;
  if (!url) throw new Error('RAPPORT_TEST_ADMIN_URL is not set: run the tests with `npm test` (jest globalSetup starts Postgres).');
  return url;
}

/** A fresh database cloned from the migrated template, for one test file. */
export async function createTestDatabase(): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Waits until the worker has written every requested score (see TestApp.scoresSettled). */
export async function scoresSettled(db: DataSource): Promise<void> {
  for (;;) {
    const [row]: Array<{ waiting: boolean; busy: boolean; failed: string | null }> = await db.query(
      `SELECT EXISTS (SELECT 1 FROM customer_score_requests) AS waiting,
              EXISTS (SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL OR (run_at <= now() AND attempts < max_attempts)) AS busy,
              (SELECT last_error FROM graphile_worker.jobs WHERE last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 1) AS failed`,
    );
    if (row.failed) throw new Error(`a job failed: ${row.failed}`);
    if (!row.waiting && !row.busy) return;
    if (row.waiting && !row.busy) {
      // Requests with no job to drain them would wait forever: that is a bug in the triggers, not slowness.
      const [again] = await db.query(`SELECT EXISTS (SELECT 1 FROM graphile_worker.jobs) AS queued`);
      if (!again.queued) throw new Error('rescore requests are waiting but no job is queued to drain them');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The real stack for one test file: Express + Apollo over a fresh Postgres database. */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const url = await createTestDatabase();
  // Tests send bursts no real client would, and a loaded CI machine with an in-process model fit can stall the event
  // loop for longer than the pool wait: the limits get their own tests (test/api/limits.test.ts) with their own settings.
  // Scores are written by the job worker (started here, as `npm start` does): tests wait for it with `scoresSettled`.
  const lenient = {
    THROTTLE_BUCKET_SIZE: '1000000000',
    THROTTLE_RESTORE_RATE: '1000000000',
    REQUEST_TIMEOUT_MS: '120000',
    POOL_WAIT_TIMEOUT_MS: '120000',
    // Recurring jobs would fit a model whenever an hour turns over mid-test; tests queue the jobs they want.
    SCHEDULED_JOBS: 'false',
  };
  const config = loadConfig({ ...process.env, DATABASE_URL: url, DEMO_DATA: 'false', LOG_LEVEL: 'silent', ...lenient, ...env });
  const db = createDataSource(url, 5, config.slowQueryMs, servingPoolLimits(config));
  await db.initialize();
  const { app, stop } = await createApp(db, config, options);
  const jobsDb = config.runWorker ? await createJobsDataSource(url, config).initialize() : null;
  const worker = jobsDb ? await startWorker(jobsDb, config, url) : null;
  const http = request(app);
  let server: Server | undefined;
  const createKey = async (options: KeyOptions): Promise<string> => {
    const errors = new UserErrors();
    const created = await db.transaction((m) =>
      insertApiKey(m, errors, { actor: SYSTEM }, { name: `test ${options.role}`, role: options.role as AccessRole, scopes: options.scopes as Scope[] | undefined, userId: options.userId, createdBy: 'test' }),
    );
    if (!created) throw new Error(`createKey: ${JSON.stringify(errors.list)}`);
    return created.key;
  };
  const caller = (key: string): GraphQLCaller => {
    const gql = async <T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> => {
      const res = await http.post('/graphql').set({ 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }).send({ query, variables });
      return { status: res.status, ...res.body };
    };
    return {
      key,
      gql,
      ok: async <T>(query: string, variables?: Record<string, unknown>) => {
        const res = await gql<T>(query, variables);
        if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors, null, 2)}`);
        return res.data;
      },
    };
  };
  const adminKey = await createKey({ role: AccessRole.ADMIN });
  const admin = caller(adminKey);
  const gql = admin.gql;
  return {
    db,
    url,
    config,
    http,
    adminKey,
    auth: { authorization: `Bearer ${adminKey}` },
    createKey,
    as: async (options) => caller(await createKey(options)),
    key: adminKey,
    gql,
    ok: admin.ok,
    scoresSettled: () => scoresSettled(db),
    statements: async (query: string, variables?: Record<string, unknown>) => {
      const res = await gql(query, variables, { 'x-rapport-sql-count': '1' });
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors, null, 2)}`);
      return res.extensions!.sqlStatements!;
    },
    listen: async () => {
      server ??= await new Promise<Server>((resolve, reject) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s)).once('error', reject);
      });
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: async () => {
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
      await stop();
      await worker?.stop();
      await jobsDb?.destroy();
      await db.destroy();
      await dropTestDatabase(url);
    },
  };
}
