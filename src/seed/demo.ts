import type { DataSource } from 'typeorm';
import type { Config } from '../server/config';

/** Loads the demo dataset on first start (placeholder until the generator lands). */
export async function loadDemoDataIfEmpty(_db: DataSource, _config: Config): Promise<void> {}
