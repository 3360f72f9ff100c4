import { randomBytes } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;
let idClock = 0;
let idSequence = 0;

/**
 * A time-ordered UUID (version 7, RFC 9562): 48 bits of milliseconds, a 12-bit sequence, 62 random bits. Ids made one
 * after another sort one after another, so bulk-loaded rows extend each index at its right edge instead of touching
 * random pages: the seed writes millions of rows, and random (v4) ids made the indexes its slowest part.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= idClock) {
    idSequence++;
    if (idSequence > 0xfff) {
      idClock++;
      idSequence = 0;
    }
    ms = idClock;
  } else {
    idClock = ms;
    idSequence = 0;
  }
  if (idPoolOffset + 8 > idPool.length) {
    idPool = randomBytes(8192);
    idPoolOffset = 0;
  }
  const r = idPool;
  const o = idPoolOffset;
  idPoolOffset += 8;
  const t = ms.toString(16).padStart(12, '0');
  const sequence = idSequence.toString(16).padStart(3, '0');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${sequence}-${HEX[0x80 | (r[o] & 0x3f)]}${HEX[r[o + 1]]}-${HEX[r[o + 2]]}${HEX[r[o + 3]]}${HEX[r[o + 4]]}${HEX[r[o + 5]]}${HEX[r[o + 6]]}${HEX[r[o + 7]]}`;
}
