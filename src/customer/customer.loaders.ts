import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { CustomFieldEntity } from '../customfield/custom-field.entity';
import { customFieldFilter } from '../customfield/custom-field.filter';
import { Customer } from './customer.entity';
import { CustomerFilter, CustomerSortField } from './customer.types';

/** How customer lists filter, sort and search (shared by `customers` and `referrals`). */
export const customerList: ListSpec<Customer, CustomerFilter, CustomerSortField> = {
  entity: Customer,
  what: 'customer',
  filters: {
    id: { sql: '{a}.id', kind: 'id', idType: 'Customer' },
    kind: { sql: '{a}.kind', kind: 'enum' },
    name: { sql: '{a}.name', kind: 'text' },
    externalRef: { sql: '{a}.external_ref', kind: 'text' },
    email: { sql: '{a}.email', kind: 'text', pii: true },
    phone: { sql: '{a}.phone', kind: 'text', pii: true },
    region: { sql: '{a}.region', kind: 'text' },
    city: { sql: '{a}.address_city', kind: 'text' },
    country: { sql: '{a}.address_country', kind: 'country' },
    tags: { sql: '{a}.tags', kind: 'tags' },
    interests: { sql: '{a}.interests', kind: 'tags' },
    personality: { sql: '{a}.personality', kind: 'enum' },
    acquisitionChannel: { sql: '{a}.acquisition_channel', kind: 'text' },
    owner: { sql: '{a}.owner_id', kind: 'id', idType: 'User' },
    referredBy: { sql: '{a}.referred_by_id', kind: 'id', idType: 'Customer' },
    lifecycleStage: { sql: '(SELECT s.key FROM lifecycle_stages s WHERE s.id = {a}.lifecycle_stage_id)', kind: 'text' },
    birthday: { sql: '{a}.birthday', kind: 'date', pii: true },
    emailConsent: { sql: '{a}.consent_email_granted', kind: 'bool' },
    smsConsent: { sql: '{a}.consent_sms_granted', kind: 'bool' },
    phoneConsent: { sql: '{a}.consent_phone_granted', kind: 'bool' },
    mailConsent: { sql: '{a}.consent_mail_granted', kind: 'bool' },
    hasOpenOpportunity: {
      sql: "EXISTS (SELECT 1 FROM opportunities o WHERE o.customer_id = {a}.id AND o.status = 'OPEN' AND o.deleted_at IS NULL)",
      kind: 'bool',
    },
    // Loyalty: the member's account (one per customer, by its unique index), and the tier its lifetime points reach.
    loyaltyMember: { sql: 'EXISTS (SELECT 1 FROM loyalty_accounts la WHERE la.customer_id = {a}.id)', kind: 'bool' },
    loyaltyBalance: { sql: '(SELECT la.balance FROM loyalty_accounts la WHERE la.customer_id = {a}.id)', kind: 'number' },
    loyaltyTier: {
      sql:
        '(SELECT lt.name FROM loyalty_accounts la JOIN loyalty_tiers lt ON lt.program_id = la.program_id AND lt.threshold <= la.lifetime_points ' +
        'WHERE la.customer_id = {a}.id ORDER BY lt.threshold DESC LIMIT 1)',
      kind: 'text',
    },
    customField: customFieldFilter(CustomFieldEntity.CUSTOMER),
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
    updatedAt: { sql: '{a}.updated_at', kind: 'timestamp' },
    deletedAt: { sql: '{a}.deleted_at', kind: 'timestamp' },
    // Scores: the customer_scores row the worker keeps current (src/scoring), joined as `d`.
    segment: { sql: 'd.segment', kind: 'enum', derived: true },
    valueTier: { sql: 'd.value_tier', kind: 'enum', derived: true },
    churnLevel: { sql: 'd.churn_level', kind: 'enum', derived: true },
    churnProbability: { sql: 'd.churn_probability', kind: 'number', derived: true },
    predictedClv: { sql: 'd.predicted_clv', kind: 'decimal', derived: true },
  },
  sorts: {
    [CustomerSortField.NAME]: { sql: '{a}.name', pgType: 'text' },
    [CustomerSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [CustomerSortField.UPDATED_AT]: { sql: '{a}.updated_at', pgType: 'timestamptz' },
    [CustomerSortField.PREDICTED_CLV]: { sql: 'd.predicted_clv', pgType: 'numeric', derived: true, nullsLast: true },
    [CustomerSortField.TOTAL_CLV]: { sql: 'd.total_clv', pgType: 'numeric', derived: true, nullsLast: true },
    [CustomerSortField.CHURN_PROBABILITY]: { sql: 'd.churn_probability', pgType: 'float8', derived: true, nullsLast: true },
    [CustomerSortField.CUSTOM_FIELD]: { sql: 'NULL', pgType: 'text', byCustomField: true },
  },
  defaultSort: { field: CustomerSortField.NAME, direction: SortDirection.ASC },
  search:
    '{a}.name ILIKE :search OR {a}.external_ref ILIKE :search ' +
    'OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.customer_id = {a}.id AND ct.deleted_at IS NULL AND ct.name ILIKE :search)',
  piiSearch: '{a}.email ILIKE :search OR {a}.phone ILIKE :search',
  derivedJoin: { table: 'customer_scores', key: 'customer_id' },
};

/**
 * The stored scores a customers page reads in its own statement when it joins them anyway (a sort or filter on a
 * score), so that the score fields of its rows need no statement of their own. The customer domain owns this slot
 * and scoring/ fills it in (score-store.ts), so customers do not depend on how scores are kept; empty, pages simply
 * leave the scores to their fields' own loader.
 */
export const scoresOnCustomerPages: {
  /** Select list over `d` (customer_scores), every alias starting with `d__`. */
  columns: string | null;
  /** Hands a page's rows (with those columns) to the scores' request loader. */
  prime: ((loaders: Loaders, rows: ReadonlyArray<Record<string, unknown>>) => void) | null;
} = { columns: null, prime: null };
