import { CoreSchema1732300000000 } from './1732300000000-core-schema';

/** Every migration, in order. Listed explicitly so ts-jest, ts-node and compiled builds load the same set. */
export const migrations = [CoreSchema1732300000000];
