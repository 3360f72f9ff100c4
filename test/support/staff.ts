import type { DataSource } from 'typeorm';

/** A staff user straight into the table (tests arrange people, not what creating users does); returns their id. */
export async function insertStaff(db: DataSource, name: string, role = 'SALES_REP'): Promise<string> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@rapport.example`;
  const [{ id }]: Array<{ id: string }> = await db.query(`INSERT INTO users (name, email, role) VALUES ($1, $2, $3) RETURNING id`, [name, email, role]);
  return id;
}
