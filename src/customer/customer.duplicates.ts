// One record per customer: finding the customers that are probably the same person or company. Exact on the
// normalised email and phone digits; fuzzy on the name (pg_trgm trigram similarity) within blocks of the same
// birthday or the same postal code and city, so that no pair is compared that shares nothing (record linkage's
// "blocking": Fellegi & Sunter 1969; Christen 2012, ch. 4).

import type { EntityManager } from 'typeorm';
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Customer } from './customer.entity';

/** Why two customers may be the same; the GraphQL enum `DuplicateReason` is registered from this object. */
export const DUPLICATE_REASONS = {
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  NAME_AND_BIRTHDAY: 'NAME_AND_BIRTHDAY',
  NAME_AND_ADDRESS: 'NAME_AND_ADDRESS',
} as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[keyof typeof DUPLICATE_REASONS];
registerEnumType(DUPLICATE_REASONS, {
  name: 'DuplicateReason',
  description: 'Why two customers may be the same.',
  valuesConfig: {
    EMAIL: { description: 'The same email address.' },
    PHONE: { description: 'The same phone number, digits compared (at least 6).' },
    NAME_AND_BIRTHDAY: { description: 'The same birthday and similar names (trigram similarity at least 0.5).' },
    NAME_AND_ADDRESS: { description: 'The same postal code and city and similar names (trigram similarity at least 0.5).' },
  },
});

/** A name counts as similar from this trigram similarity on (pg_trgm's `similarity`, 0–1). */
export const NAME_SIMILARITY = 0.5;
/** Digits a phone number needs before it identifies anyone (short codes and extensions do not). */
const MIN_PHONE_DIGITS = 6;

export interface DuplicateMatch {
  reason: DuplicateReason;
  /** Name similarity for the name-based reasons; 1 for exact keys. */
  similarity: number;
}

/**
 * How sure we are that two records are one customer, 0–1: each reason is evidence on its own (an email 0.95, a phone
 * 0.85 — shared by households and switchboards —, a similar name with the same birthday 0.5 + 0.5 × similarity, with
 * the same address 0.4 + 0.5 × similarity), combined as independent evidence: 1 − Π(1 − pᵢ).
 */
export function duplicateScore(matches: readonly DuplicateMatch[]): number {
  const weight = (m: DuplicateMatch): number =>
    m.reason === 'EMAIL' ? 0.95 : m.reason === 'PHONE' ? 0.85 : m.reason === 'NAME_AND_BIRTHDAY' ? 0.5 + 0.5 * m.similarity : 0.4 + 0.5 * m.similarity;
  return 1 - matches.reduce((p, m) => p * (1 - weight(m)), 1);
}

@ObjectType({ description: 'One reason two customers may be the same, with the name similarity behind it.' })
export class DuplicateEvidence {
  @Field(() => DUPLICATE_REASONS, { description: 'What matched.' })
  reason: DuplicateReason;

  @Field(() => Float, { description: 'Trigram similarity of the names for NAME_AND_BIRTHDAY and NAME_AND_ADDRESS, 0–1; 1 for EMAIL and PHONE.' })
  similarity: number;
}

@ObjectType({ description: 'An existing customer the new one may duplicate.' })
export class PossibleDuplicate {
  @Field(() => Customer, { description: 'The existing customer.' })
  customer: Customer;

  @Field(() => Float, { description: 'How sure, 0–1 (each reason as independent evidence).' })
  score: number;

  @Field(() => [DuplicateEvidence], { description: 'What matched.' })
  reasons: DuplicateEvidence[];
}

@ObjectType({ description: 'Two customers that are probably one, for review (and merging).' })
export class DuplicateCandidate {
  @Field(() => Customer, { description: 'The older record (created first).' })
  customer: Customer;

  @Field(() => Customer, { description: 'The newer record.' })
  duplicate: Customer;

  @Field(() => Float, { description: 'How sure, 0–1.' })
  score: number;

  @Field(() => [DuplicateEvidence], { description: 'What matched.' })
  reasons: DuplicateEvidence[];
}

/** What the checks read of a customer to be created. */
export interface DuplicateKeys {
  name: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  postalCode: string | null;
  city: string | null;
}

/** A phone number as duplicate checks compare it: its digits, or null when too short to identify anyone. */
export const phoneDigits = (phone: string | null): string | null => {
  const d = phone ? phone.replace(/[^0-9]/g, '') : '';
  return d.length >= MIN_PHONE_DIGITS ? d : null;
};

/**
 * The live customers (within the caller's `scope`) a customer with these keys may duplicate, best first, those scoring
 * at least `minScore`; one statement of index probes.
 */
export async function duplicatesOf(m: EntityManager, keys: DuplicateKeys, scope: (alias: string) => string | null, minScore: number): Promise<Array<{ id: string; score: number; reasons: DuplicateMatch[] }>> {
  const phone = phoneDigits(keys.phone);
  const rows: Array<{ id: string; email: boolean; phone: boolean; birthday: boolean; address: boolean; sim: number }> = await m.query(
    `SELECT c.id, coalesce(c.email = $1, false) AS email,
            coalesce(regexp_replace(c.phone, '[^0-9]', '', 'g') = $2, false) AS phone,
            coalesce(c.birthday = $3::date, false) AS birthday,
            coalesce(c.address_postal_code = $4 AND lower(c.address_city) = lower($5), false) AS address,
            similarity(c.name, $6) AS sim
       FROM customers c
      WHERE c.deleted_at IS NULL AND c.erased_at IS NULL${scope('c') ? ` AND ${scope('c')}` : ''}
        AND (c.email = $1
             OR (c.phone IS NOT NULL AND regexp_replace(c.phone, '[^0-9]', '', 'g') = $2)
             OR (c.birthday = $3::date AND c.name % $6)
             OR (c.address_postal_code = $4 AND lower(c.address_city) = lower($5) AND c.name % $6))
      LIMIT 50`,
    [keys.email, phone, keys.birthday, keys.postalCode, keys.city, keys.name],
  );
  return rows
    .map((r) => {
      const reasons: DuplicateMatch[] = [];
      if (r.email) reasons.push({ reason: 'EMAIL', similarity: 1 });
      if (r.phone) reasons.push({ reason: 'PHONE', similarity: 1 });
      if (r.birthday && r.sim >= NAME_SIMILARITY) reasons.push({ reason: 'NAME_AND_BIRTHDAY', similarity: r.sim });
      if (r.address && r.sim >= NAME_SIMILARITY) reasons.push({ reason: 'NAME_AND_ADDRESS', similarity: r.sim });
      return { id: r.id, score: duplicateScore(reasons), reasons };
    })
    .filter((d) => d.reasons.length > 0 && d.score >= minScore)
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/**
 * Every pair of live customers (both within `scope`) that may be one, best first, at most `first`: exact keys by
 * equality joins, names only within birthday and address blocks.
 */
export async function duplicatePairs(m: EntityManager, scope: (alias: string) => string | null, minScore: number, first: number): Promise<Array<{ a: string; b: string; score: number; reasons: DuplicateMatch[] }>> {
  const live = (x: string) => `${x}.deleted_at IS NULL AND ${x}.erased_at IS NULL${scope(x) ? ` AND ${scope(x)}` : ''}`;
  // a is the older record: (created_at, id) orders the pair once.
  const older = `(a.created_at, a.id) < (b.created_at, b.id)`;
  const rows: Array<{ a: string; b: string; reason: DuplicateReason; sim: number }> = await m.query(
    `SELECT a.id AS a, b.id AS b, 'EMAIL' AS reason, 1::float8 AS sim
       FROM customers a JOIN customers b ON b.email = a.email AND ${older}
      WHERE a.email IS NOT NULL AND ${live('a')} AND ${live('b')}
     UNION ALL
     SELECT a.id, b.id, 'PHONE', 1
       FROM customers a JOIN customers b ON regexp_replace(b.phone, '[^0-9]', '', 'g') = regexp_replace(a.phone, '[^0-9]', '', 'g') AND ${older}
      WHERE a.phone IS NOT NULL AND b.phone IS NOT NULL AND length(regexp_replace(a.phone, '[^0-9]', '', 'g')) >= ${MIN_PHONE_DIGITS} AND ${live('a')} AND ${live('b')}
     UNION ALL
     SELECT a.id, b.id, 'NAME_AND_BIRTHDAY', similarity(a.name, b.name)
       FROM customers a JOIN customers b ON b.birthday = a.birthday AND ${older}
      WHERE a.birthday IS NOT NULL AND similarity(a.name, b.name) >= ${NAME_SIMILARITY} AND ${live('a')} AND ${live('b')}
     UNION ALL
     SELECT a.id, b.id, 'NAME_AND_ADDRESS', similarity(a.name, b.name)
       FROM customers a JOIN customers b ON b.address_postal_code = a.address_postal_code AND lower(b.address_city) = lower(a.address_city) AND ${older}
      WHERE a.address_postal_code IS NOT NULL AND similarity(a.name, b.name) >= ${NAME_SIMILARITY} AND ${live('a')} AND ${live('b')}`,
  );
  const pairs = new Map<string, { a: string; b: string; reasons: DuplicateMatch[] }>();
  for (const r of rows) {
    const key = `${r.a}:${r.b}`;
    const pair = pairs.get(key) ?? { a: r.a, b: r.b, reasons: [] };
    pair.reasons.push({ reason: r.reason, similarity: r.sim });
    pairs.set(key, pair);
  }
  return [...pairs.values()]
    .map((p) => ({ ...p, score: duplicateScore(p.reasons) }))
    .filter((p) => p.score >= minScore)
    .sort((x, y) => y.score - x.score || x.a.localeCompare(y.a) || x.b.localeCompare(y.b))
    .slice(0, first);
}
