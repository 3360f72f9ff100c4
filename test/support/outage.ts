import { Client } from 'pg';

/** A connection to the test cluster as its superuser, outside the app's pool (to the test's own database when given its URL). */
export async function adminClient(url = process.env.RAPPORT_TEST_ADMIN_URL): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

export function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

/**
 * An outage of one test database, leaving the shared cluster running: new connections are refused
 * ("not currently accepting connections") and every open one is cut, as when Postgres goes down.
 */
export async function takeDatabaseDown(admin: Client, name: string): Promise<void> {
  await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
}

export async function bringDatabaseBack(admin: Client, name: string): Promise<void> {
  await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
}

/** Polls until the condition holds and returns what it found: tests wait for events, never for a clock. */
export async function until<T>(condition: () => T | Promise<T>, pollMs = 10): Promise<NonNullable<T>> {
  for (;;) {
    const found = await condition();
    if (found) return found as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Backends of the database waiting for a lock, e.g. mutations queued behind a row an admin connection holds. */
export async function waitingOnLocks(admin: Client, name: string): Promise<number> {
  const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [name]);
  return rows[0].n;
}
