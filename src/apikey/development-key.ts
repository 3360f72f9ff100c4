import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { UserErrors } from '../common/errors';
import type { Config } from '../core/config';
import { actorForApiKey } from '../core/credentials';
import { AccessRole } from '../core/roles';
import { insertApiKey } from './api-key.service';

const FILE = 'development-api-key';

/**
 * Outside production, `npm start` hands the newcomer an ADMIN key so the first query just works. The
 * key is kept in DATA_DIR (readable by this OS user only) and reused while it stays valid, so the
 * playground's saved tabs keep working across restarts.
 */
export async function developmentApiKey(db: DataSource, config: Config): Promise<string> {
  const file = path.join(config.dataDir, FILE);
  const saved = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
  if (saved) {
    const actor = await actorForApiKey(db, saved);
    if (actor?.kind === 'principal' && actor.role === AccessRole.ADMIN) return saved;
  }
  const errors = new UserErrors();
  const created = await db.transaction((m) =>
    insertApiKey(m, errors, { actor: { kind: 'system', label: 'development server' } }, { name: 'Development key', role: AccessRole.ADMIN, createdBy: 'development server' }),
  );
  if (!created) throw new Error(`could not create the development API key: ${JSON.stringify(errors.list)}`);
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${created.key}\n`, { mode: 0o600 });
  return created.key;
}
