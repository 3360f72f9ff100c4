import path from 'node:path';

/** The CDNOW purchase data in shared/, which stands beside the repository (locally and in CI). */
export const CDNOW_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cdnow');
