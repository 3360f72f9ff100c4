/**
 * Opaque global IDs (Relay): base64url("Type:uuid"). Clients must not parse them;
 * keeping them opaque lets storage keys change without breaking integrations.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export interface DecodedId {
  type: string;
  id: string;
}

/** Decodes a global ID; null when it is not one of ours. */
export function fromGlobalId(globalId: string): DecodedId | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  const raw = Buffer.from(globalId, 'base64url').toString('utf8');
  const sep = raw.indexOf(':');
  if (sep <= 0) return null;
  const type = raw.slice(0, sep);
  const id = raw.slice(sep + 1);
  if (!UUID.test(id) || !/^[A-Za-z]+$/.test(type)) return null;
  return { type, id: id.toLowerCase() };
}

/** The uuid behind a global ID of the expected type, or null. */
export function decodeIdOf(type: string, globalId: string): string | null {
  const decoded = fromGlobalId(globalId);
  return decoded && decoded.type === type ? decoded.id : null;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
