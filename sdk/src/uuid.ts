import { RapportError } from './errors';

/** What the client needs of Web Crypto; browsers outside a secure context (plain http) lack `randomUUID`. */
export interface CryptoLike {
  randomUUID?: () => string;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

/**
 * A random (version 4) UUID for an Idempotency-Key: `crypto.randomUUID` where there is one, else built from
 * `crypto.getRandomValues`, which browsers offer in every context (RFC 9562, section 5.4).
 */
export function randomUUID(crypto: CryptoLike | undefined = (globalThis as { crypto?: CryptoLike }).crypto): string {
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  if (typeof crypto?.getRandomValues !== 'function') {
    throw new RapportError('No Web Crypto to make an Idempotency-Key: pass `idempotencyKey` to the call');
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10xx
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
