import { badInput } from '../common/errors';
import { compileField, type FilterField, type Params } from '../common/list-query';
import { hasNul } from '../common/validate';
import { CustomFieldEntity, CustomFieldType } from './custom-field.entity';

/** A custom field's key: what the definitions' CHECK constraint allows. */
export const CUSTOM_FIELD_KEY = /^[a-z][a-z0-9_]{0,49}$/;

/**
 * The list filter on one custom field of `entity`, as a FilterField for a list spec: `{ key, text | number | date }`
 * compiled to conditions on `a.custom_fields`. The key and every operand are statement parameters. A condition
 * holds only while a live definition of that key has the type the condition is for (an uncorrelated subquery, run
 * once per statement), so values left by a deleted field are never matched, and the casts are guarded by the JSON
 * type of the value, so no stored value can make a statement fail.
 */
export function customFieldFilter(entity: CustomFieldEntity): FilterField {
  return {
    sql: '{a}.custom_fields',
    kind: 'text',
    compile(input, params, path) {
      const key = input.key as string;
      if (typeof key !== 'string' || hasNul(key) || !CUSTOM_FIELD_KEY.test(key)) throw badInput(`\`${path}.key\` is not a custom field key`, { field: `${path}.key` });
      const k = params.add(key);
      const value = `a.custom_fields -> ${k}`;
      const live = (types: CustomFieldType[]) =>
        `EXISTS (SELECT 1 FROM custom_field_definitions cfd WHERE cfd.entity = ${params.add(entity)} AND cfd.key = ${k} AND cfd.deleted_at IS NULL AND cfd.type = ANY(${params.add(types)}::text[]))`;
      const parts: string[] = [];
      const text = input.text as Record<string, unknown> | null | undefined;
      if (text) {
        const { eq, ...rest } = text;
        parts.push(live([CustomFieldType.TEXT, CustomFieldType.CHOICE]));
        // Equality as containment, which the GIN index on customers.custom_fields answers.
        if (eq != null) {
          if (typeof eq === 'string' && hasNul(eq)) throw badInput(`\`${path}.text.eq\` must not contain NUL (\\u0000) characters`, { field: `${path}.text.eq` });
          parts.push(`a.custom_fields @> ${params.add(JSON.stringify({ [key]: eq }))}::jsonb`);
        }
        const sql = `(CASE WHEN jsonb_typeof({a}.custom_fields -> ${k}) = 'string' THEN {a}.custom_fields ->> ${k} END)`;
        parts.push(...compileField({ sql, kind: 'text' }, rest, params, `${path}.text`));
      }
      const number = input.number as Record<string, unknown> | null | undefined;
      if (number) {
        parts.push(live([CustomFieldType.NUMBER]));
        const sql = `(CASE WHEN jsonb_typeof({a}.custom_fields -> ${k}) = 'number' THEN ({a}.custom_fields ->> ${k})::numeric END)`;
        parts.push(...compileField({ sql, kind: 'number' }, number, params, `${path}.number`));
      }
      const date = input.date as Record<string, unknown> | null | undefined;
      if (date) {
        parts.push(live([CustomFieldType.DATE]));
        // Dates are stored as YYYY-MM-DD, written only after validation (and a key's stale values are cleared when
        // it is defined again), so the pattern guard is enough for the cast.
        const sql = `(CASE WHEN jsonb_typeof({a}.custom_fields -> ${k}) = 'string' AND ({a}.custom_fields ->> ${k}) ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN ({a}.custom_fields ->> ${k})::date END)`;
        parts.push(...compileField({ sql, kind: 'date' }, date, params, `${path}.date`));
      }
      if (!parts.length) parts.push(live([CustomFieldType.TEXT, CustomFieldType.CHOICE, CustomFieldType.NUMBER, CustomFieldType.DATE]), `${value} IS NOT NULL`);
      return parts;
    },
  };
}
