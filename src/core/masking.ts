import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { Extensions } from 'type-graphql';
import type { Context } from './request-scope';

/**
 * Personal data, and how it looks to callers who may not see it (analysts; partners without `pii:read`).
 * The same functions mask fields, exports and audit entries, so a value masked in one place cannot leak in another.
 */
export type PiiKind = 'email' | 'phone' | 'street' | 'birthday' | 'freeText';

/** `jane.doe@example.com` → `j***@example.com`: enough to tell addresses apart, not to write to one. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `+4930123456` → `+*********56`: all but the last two digits hidden. */
export function maskPhone(phone: string): string {
  let keep = 2;
  const chars = [...phone];
  for (let i = chars.length - 1; i >= 0; i--) {
    if (!/\d/.test(chars[i])) continue;
    if (keep > 0) keep--;
    else chars[i] = '*';
  }
  return chars.join('');
}

export function maskValue(kind: PiiKind, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (kind) {
    case 'email':
      return maskEmail(String(value));
    case 'phone':
      return maskPhone(String(value));
    // Street lines and postal codes go; city, region and country stay (the address "down to the city").
    // The full birthday goes; its month stays visible as `birthMonth`, which is what greetings need.
    // Free text may say anything about anyone, so it is withheld whole.
    case 'street':
    case 'birthday':
    case 'freeText':
      return null;
  }
}

/** Which fields of a stored record are personal data, by column property, for exports and the audit log. */
export const PII_PROPERTIES: Record<string, PiiKind> = {
  email: 'email',
  phone: 'phone',
  birthday: 'birthday',
  notes: 'freeText',
  nextStep: 'freeText',
  line1: 'street',
  line2: 'street',
  postalCode: 'street',
};

/** Masks the personal data in a plain object (one level deep, and one nested `address`), for exports and audit entries. */
export function maskRecord<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(out)) {
    const kind = PII_PROPERTIES[key];
    if (kind) out[key] = maskValue(kind, value);
    else if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) out[key] = maskRecord(value as Record<string, unknown>);
  }
  return out as T;
}

/**
 * How a field's value looks to a caller who may not see personal data. Applied by `applyFieldMasks` when the schema
 * is built, as a plain synchronous wrapper of the field's resolver: a type-graphql middleware would make every such
 * field asynchronous for every caller (a promise per email of every row of every list), masked or not.
 */
export type FieldMask = (value: unknown, root: unknown) => unknown;

/** The key of a field's mask in its GraphQL extensions. */
export const FIELD_MASK = 'rapportMask';

function masked(mask: FieldMask): MethodDecorator & PropertyDecorator {
  return Extensions({ [FIELD_MASK]: mask }) as MethodDecorator & PropertyDecorator;
}

/** A field holding personal data: the value as stored for callers who may see personal data, masked for everyone else. */
export function Pii(kind: PiiKind): MethodDecorator & PropertyDecorator {
  return masked((value) => maskValue(kind, value));
}

/** Masks an audit entry's `{ field: { before, after } }` the way the fields themselves are masked. */
export function maskChanges(changes: Record<string, { before: unknown; after: unknown }>): Record<string, { before: unknown; after: unknown }> {
  const masked = (key: string, value: unknown) => (maskRecord({ [key]: value }) as Record<string, unknown>)[key];
  return Object.fromEntries(Object.entries(changes).map(([key, c]) => [key, { before: masked(key, c.before), after: masked(key, c.after) }]));
}

/** An audit entry's `changes`, masked field by field. */
export function PiiChanges(): MethodDecorator & PropertyDecorator {
  return masked((value) => (value ? maskChanges(value as Record<string, { before: unknown; after: unknown }>) : value));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * A birthday greeting's due date and reason give away the day of a birthday; callers who see birthdays down to
 * the month get the month only (`dueAt` on its first day, "Birthday in May"). Other actions pass unchanged.
 */
export function PiiBirthdayAction(part: 'dueAt' | 'reason'): MethodDecorator & PropertyDecorator {
  return masked((value, root) => {
    const action = root as { kind?: string; dueAt?: Date };
    if (action.kind !== 'BIRTHDAY_GREETING' || !(action.dueAt instanceof Date)) return value;
    const due = action.dueAt;
    if (part === 'dueAt') return new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth(), 1));
    return `Birthday in ${MONTHS[due.getUTCMonth()]}`;
  });
}

/**
 * Wraps the resolver of every field that carries a mask (see `Pii`) in the built schema: callers who see personal
 * data get the resolver's own result, untouched and as synchronous as it was.
 */
export function applyFieldMasks(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const mask = field.extensions?.[FIELD_MASK] as FieldMask | undefined;
      if (!mask) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (root, args, context: Context, info) => {
        const value = resolve(root, args, context, info);
        if (!context.access.masksPii) return value;
        return isPromise(value) ? value.then((v) => mask(v, root)) : mask(value, root);
      };
    }
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | null)?.then === 'function';
}
