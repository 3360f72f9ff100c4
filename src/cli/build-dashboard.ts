import path from 'node:path';
import { PREBUILT_DIR, writePrebuiltDashboard } from '../server/dashboard/bundle';

/** Part of `npm run build`: the dashboard's browser bundle, so a production install serves it without esbuild. */
writePrebuiltDashboard()
  .then(() => process.stdout.write(`wrote the dashboard bundle to ${path.relative(process.cwd(), PREBUILT_DIR)}\n`))
  .catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  });
