type Query = (sql: string, params?: unknown[]) => Promise<any>;

/** The demo's custom fields on customers: what the seeds' sales staff want on file about a person. */
const DEFINITIONS = [
  { key: 'hobbies', label: 'Hobbies', type: 'TEXT', options: [], personal: true, position: 1 },
  { key: 'preferred_contact_time', label: 'Preferred contact time', type: 'CHOICE', options: ['Morning', 'Lunchtime', 'Afternoon', 'Evening'], personal: false, position: 2 },
  { key: 'company_size', label: 'Company size (employees)', type: 'NUMBER', options: [], personal: false, position: 3 },
  { key: 'first_contact', label: 'First contact', type: 'DATE', options: [], personal: false, position: 4 },
];
const HOBBIES = ['Sailing', 'Golf', 'Cycling', 'Gardening', 'Cooking', 'Photography', 'Hiking', 'Chess', 'Opera', 'Tennis', 'Birdwatching', 'Pottery'];

/**
 * Defines the demo fields (unless live fields of those keys exist) and fills them on a share of the customers this run
 * created, deterministically by external reference: hobbies on people (personal data), a contact time on most, the
 * head count on companies, and the first contact some weeks before the customer was created. Only keys whose live
 * field has the type the seed writes get values. Two statements however many customers.
 */
export async function seedCustomFields(query: Query, options: { externalRefOffset?: number }): Promise<void> {
  await query(
    `INSERT INTO custom_field_definitions (entity, key, label, type, options, personal, position)
     SELECT 'CUSTOMER', d.key, d.label, d.type, d.options, d.personal, d.position
       FROM jsonb_to_recordset($1::jsonb) AS d(key text, label text, type text, options text[], personal boolean, position int)
     ON CONFLICT (entity, key) WHERE deleted_at IS NULL DO NOTHING`,
    [JSON.stringify(DEFINITIONS)],
  );
  await query(
    `WITH defs AS (
       SELECT d.key FROM custom_field_definitions d JOIN jsonb_to_recordset($2::jsonb) AS w(key text, type text) ON w.key = d.key AND w.type = d.type
        WHERE d.entity = 'CUSTOMER' AND d.deleted_at IS NULL),
     picked AS (
       SELECT c.id, c.kind, c.created_at, abs(hashtext(c.external_ref)) AS h
         FROM customers c
        WHERE c.external_ref ~ '^C[0-9]{7,15}$' AND substring(c.external_ref FROM 2)::bigint > $1 AND c.deleted_at IS NULL),
     valued AS (
       SELECT p.id, jsonb_strip_nulls(jsonb_build_object(
                'hobbies', CASE WHEN p.kind = 'PERSON' AND p.h % 3 = 0 AND 'hobbies' IN (SELECT key FROM defs)
                                THEN ($3::text[])[p.h % 12 + 1] || CASE WHEN p.h % 2 = 0 THEN ', ' || ($3::text[])[(p.h / 12) % 12 + 1] ELSE '' END END,
                'preferred_contact_time', CASE WHEN p.h % 5 < 3 AND 'preferred_contact_time' IN (SELECT key FROM defs)
                                THEN (ARRAY['Morning','Lunchtime','Afternoon','Evening'])[(p.h / 7) % 4 + 1] END,
                'company_size', CASE WHEN p.kind = 'COMPANY' AND p.h % 4 <> 0 AND 'company_size' IN (SELECT key FROM defs)
                                THEN to_jsonb((ARRAY[3, 8, 12, 25, 40, 75, 120, 250, 600, 1500])[(p.h / 11) % 10 + 1]) END,
                'first_contact', CASE WHEN p.h % 2 = 0 AND 'first_contact' IN (SELECT key FROM defs)
                                THEN to_char((p.created_at - make_interval(days => (p.h % 90)::int + 7))::date, 'YYYY-MM-DD') END)) AS v
         FROM picked p)
     UPDATE customers c SET custom_fields = c.custom_fields || v.v FROM valued v WHERE v.id = c.id AND v.v <> '{}'::jsonb`,
    [options.externalRefOffset ?? 0, JSON.stringify(DEFINITIONS.map(({ key, type }) => ({ key, type }))), HOBBIES],
  );
}
