import fs from 'node:fs';
import type { EmbeddedCluster } from '../../src/db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __rapportCluster?: { cluster: EmbeddedCluster; dataDir: string } }).__rapportCluster;
  if (!state) return;
  await state.cluster.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
