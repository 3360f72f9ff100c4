import { GraphQLError } from 'graphql';
import type { Actor } from './actor';
import { AccessRole, Scope } from './roles';

/**
 * The access policy: what exists for a caller and what they may change. It is applied in the
 * primitives every read and write goes through (Loaders.byId, Loaders.list, nested pages, node(id),
 * references in inputs, analytics), so no resolver can forget it.
 *
 * - ADMIN: everything, including keys, users and the audit log.
 * - MANAGER: every customer and all data; no key or user management, no audit log.
 * - SALES_REP: only the customers they own and those customers' contacts, orders, touchpoints and
 *   history, of those customers' tasks only their own, and the opportunities they own. Everyone else's records do
 *   not exist for them (null / NOT_FOUND, never FORBIDDEN). They read pipelines and assignment rules; only ADMIN and
 *   MANAGER change them (and reassign customers in bulk).
 *
 * Tasks belong to the `touchpoints` area: a task is the planned half of the follow-up record whose done half is a
 * touchpoint (completing a task logs one), so the same roles and partner scopes read and change both. The
 * playbook (contact cadences) is `playbook`: ADMIN and MANAGER change it; everyone reads it with the catalog.
 * - ANALYST: reads everything with personal data masked; writes nothing.
 * - PARTNER: an API key limited by its scopes; personal data masked without `pii:read`.
 * - `settings`: the CRM's own policies (complaint service levels, surveys): ADMIN and MANAGER change them.
 * - `campaigns`: marketing campaigns. ADMIN and MANAGER run them; ANALYST and SALES_REP read them, a sales rep seeing
 *   only the members (and the figures) of their own book.
 * - `customfields`: the definitions of custom fields on customers, contacts and opportunities. ADMIN defines them;
 *   everyone who reads customers reads them. Their values belong to the record: setting them is a write of the
 *   customer (`customers:write`, contacts too) or of the opportunity (`opportunities:write`), in the record's row scope.
 * - `loyalty`: the programme, members' accounts and their points ledger. Sales reps read and write them (enrol,
 *   redeem) for the customers of their book; two acts go beyond `loyalty:write`: `loyalty:adjust` (correcting a
 *   balance by hand: ADMIN and MANAGER) and `loyalty:configure` (changing the programme: ADMIN).
 */

/** The parts of the CRM a permission is about. */
export type Area =
  | 'customers' | 'orders' | 'touchpoints' | 'opportunities' | 'pipelines' | 'assignment' | 'products' | 'catalog' | 'playbook' | 'analytics' | 'models' | 'users' | 'keys' | 'audit' | 'privacy' | 'settings' | 'campaigns' | 'loyalty' | 'customfields';
/** Acts finer than an area's write. */
type SpecialPermission = 'loyalty:adjust' | 'loyalty:configure';
export type Permission = `${Area}:${'read' | 'write'}` | SpecialPermission;

const ALL_AREAS: Area[] = ['customers', 'orders', 'touchpoints', 'opportunities', 'pipelines', 'assignment', 'products', 'catalog', 'playbook', 'analytics', 'models', 'users', 'keys', 'audit', 'privacy', 'settings', 'campaigns', 'loyalty', 'customfields'];
const SPECIAL: SpecialPermission[] = ['loyalty:adjust', 'loyalty:configure'];
const everything = (except: Permission[] = []): Permission[] =>
  [...ALL_AREAS.flatMap((a) => [`${a}:read`, `${a}:write`] as Permission[]), ...SPECIAL].filter((p) => !except.includes(p));

const ROLE_PERMISSIONS: Record<Exclude<AccessRole, AccessRole.PARTNER>, readonly Permission[]> = {
  [AccessRole.ADMIN]: everything(),
  [AccessRole.MANAGER]: everything(['users:write', 'keys:read', 'keys:write', 'audit:read', 'audit:write', 'catalog:write', 'loyalty:configure', 'customfields:write']),
  [AccessRole.SALES_REP]: [
    'customers:read', 'customers:write', 'orders:read', 'orders:write', 'touchpoints:read', 'touchpoints:write',
    'opportunities:read', 'opportunities:write', 'pipelines:read', 'assignment:read', 'products:read', 'catalog:read', 'playbook:read', 'analytics:read', 'models:read', 'users:read',
    'campaigns:read', 'loyalty:read', 'loyalty:write', 'customfields:read',
  ],
  [AccessRole.ANALYST]: ['customers:read', 'orders:read', 'touchpoints:read', 'opportunities:read', 'pipelines:read', 'assignment:read', 'products:read', 'catalog:read', 'playbook:read', 'analytics:read', 'models:read', 'users:read', 'campaigns:read', 'loyalty:read', 'customfields:read'],
};

/** What each partner scope grants. */
const SCOPE_PERMISSIONS: Record<Scope, readonly Permission[]> = {
  [Scope.CUSTOMERS_READ]: ['customers:read', 'catalog:read', 'customfields:read'],
  [Scope.CUSTOMERS_WRITE]: ['customers:write'],
  [Scope.ORDERS_READ]: ['orders:read', 'products:read'],
  [Scope.ORDERS_WRITE]: ['orders:write'],
  [Scope.TOUCHPOINTS_READ]: ['touchpoints:read'],
  [Scope.TOUCHPOINTS_WRITE]: ['touchpoints:write'],
  [Scope.OPPORTUNITIES_READ]: ['opportunities:read', 'pipelines:read'],
  [Scope.OPPORTUNITIES_WRITE]: ['opportunities:write'],
  [Scope.ANALYTICS_READ]: ['analytics:read', 'models:read'],
  [Scope.CAMPAIGNS_READ]: ['campaigns:read'],
  [Scope.CAMPAIGNS_WRITE]: ['campaigns:write'],
  [Scope.LOYALTY_READ]: ['loyalty:read'],
  [Scope.LOYALTY_WRITE]: ['loyalty:write'],
  [Scope.PII_READ]: [],
};

/** The scope a partner would need for a permission, named in FORBIDDEN errors. */
function scopeFor(permission: Permission): Scope | undefined {
  return (Object.keys(SCOPE_PERMISSIONS) as Scope[]).find((s) => SCOPE_PERMISSIONS[s].includes(permission));
}

/**
 * How each table's rows belong to a customer, for the sales rep's row scope. `{a}` is the table alias.
 * Tables not listed here are not customer data (products, stages, users…): the area permission decides alone.
 */
const CUSTOMER_OF: Record<string, { area: Area; owner?: string; customer?: string; assignee?: string }> = {
  customers: { area: 'customers', owner: '{a}.owner_id' },
  contacts: { area: 'customers', customer: '{a}.customer_id' },
  lifecycle_transitions: { area: 'customers', customer: '{a}.customer_id' },
  orders: { area: 'orders', customer: '{a}.customer_id' },
  order_lines: { area: 'orders', customer: '(SELECT o.customer_id FROM orders o WHERE o.id = {a}.order_id)' },
  touchpoints: { area: 'touchpoints', customer: '{a}.customer_id' },
  // A sales rep works the opportunities they own (not every opportunity on a customer of their book).
  opportunities: { area: 'opportunities', owner: '{a}.owner_id' },
  opportunity_stage_history: { area: 'opportunities', owner: '(SELECT o.owner_id FROM opportunities o WHERE o.id = {a}.opportunity_id)' },
  // Complaints are interactions with the customer: the touchpoints area and scopes cover them (a partner reading
  // COMPLAINT touchpoints reads their complaints too), confined to the rep's book like every touchpoint.
  complaints: { area: 'touchpoints', customer: '{a}.customer_id' },
  complaint_transitions: { area: 'touchpoints', customer: '{a}.customer_id' },
  complaint_escalations: { area: 'touchpoints', customer: '{a}.customer_id' },
  // A rep's task is theirs and on a customer in their book: another rep's task on the same customer does not exist.
  tasks: { area: 'touchpoints', customer: '{a}.customer_id', assignee: '{a}.owner_id' },
  // A campaign's member list is customer data: a sales rep sees the members of their own book only.
  campaign_members: { area: 'campaigns', customer: '{a}.customer_id' },
  loyalty_accounts: { area: 'loyalty', customer: '{a}.customer_id' },
  points_transactions: { area: 'loyalty', customer: '{a}.customer_id' },
  // Survey responses and their answers are what a customer told us: touchpoints' area and book, like the SURVEY
  // touchpoint each response logs.
  survey_responses: { area: 'touchpoints', customer: '{a}.customer_id' },
  survey_answers: { area: 'touchpoints', customer: '{a}.customer_id' },
};

const TABLE_AREA: Record<string, Area> = {
  products: 'products',
  lifecycle_stages: 'catalog',
  pipelines: 'pipelines',
  pipeline_stages: 'pipelines',
  assignment_rules: 'assignment',
  users: 'users',
  customer_model_fits: 'models',
  api_keys: 'keys',
  audit_events: 'audit',
  // Service levels are read by everyone who reads complaints and changed only by ADMIN and MANAGER (settings:write).
  complaint_slas: 'touchpoints',
  campaigns: 'campaigns',
  loyalty_programs: 'loyalty',
  loyalty_tiers: 'loyalty',
  // Surveys (questions, trigger, channel) are read with touchpoints and configured with settings (ADMIN, MANAGER).
  surveys: 'touchpoints',
  custom_field_definitions: 'customfields',
};

export function areaOfTable(table: string): Area {
  const area = CUSTOMER_OF[table]?.area ?? TABLE_AREA[table];
  if (!area) throw new Error(`access policy: no area declared for table ${table}`);
  return area;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AccessPolicy {
  private readonly permissions: ReadonlySet<Permission>;

  constructor(readonly actor: Actor) {
    this.permissions = new Set(permissionsOf(actor));
  }

  can(permission: Permission): boolean {
    return this.permissions.has(permission);
  }

  /** Throws FORBIDDEN (naming the missing scope or the roles that may) unless the caller holds the permission. */
  require(permission: Permission): void {
    if (this.can(permission)) return;
    const actor = this.actor;
    if (actor.kind === 'anonymous') {
      throw new GraphQLError('Authentication required: send `Authorization: Bearer <API key or token>`.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    const scope = actor.kind === 'principal' && actor.role === AccessRole.PARTNER ? scopeFor(permission) : undefined;
    const rolesThatMay = (Object.keys(ROLE_PERMISSIONS) as Array<keyof typeof ROLE_PERMISSIONS>).filter((r) => ROLE_PERMISSIONS[r].includes(permission));
    const message = scope
      ? `This API key lacks the \`${scope}\` scope.`
      : `Your role may not do this (${permission}); it needs ${rolesThatMay.join(' or ') || 'a role this credential does not have'}.`;
    throw new GraphQLError(message, { extensions: { code: 'FORBIDDEN', ...(scope ? { requiredScope: scope } : { requiredPermission: permission }) } });
  }

  /** The user whose book the caller is confined to (a sales rep), or null when every customer is in view. */
  get bookOwnerId(): string | null {
    const a = this.actor;
    if (a.kind !== 'principal' || a.role !== AccessRole.SALES_REP) return null;
    // A sales rep credential always has a user (the api_keys table and the JWT check insist); an unknown one sees nothing.
    return a.userId && UUID.test(a.userId) ? a.userId : '00000000-0000-0000-0000-000000000000';
  }

  /** Personal data (email, phone, street address, full birthday, notes) is masked for analysts and partners without `pii:read`. */
  get masksPii(): boolean {
    const a = this.actor;
    if (a.kind !== 'principal') return a.kind !== 'system';
    if (a.role === AccessRole.ANALYST) return true;
    if (a.role === AccessRole.PARTNER) return !(a.scopes ?? []).includes(Scope.PII_READ);
    return false;
  }

  /**
   * The SQL condition (alias `{a}`) confining a table's rows to what the caller may see, or null when
   * nothing is confined. The owner's id is a validated uuid, so it is inlined rather than bound: the
   * condition then works in TypeORM query builders and raw SQL alike.
   */
  rowCondition(table: string, alias = 'a'): string | null {
    const owner = this.bookOwnerId;
    const rule = CUSTOMER_OF[table];
    if (!owner || !rule) return null;
    let sql = rule.owner
      ? `${rule.owner} = '${owner}'`
      : `EXISTS (SELECT 1 FROM customers book WHERE book.id = ${rule.customer} AND book.owner_id = '${owner}')`;
    if (rule.assignee) sql = `${rule.assignee} = '${owner}' AND ${sql}`;
    return sql.replace(/\{a\}/g, alias);
  }

  /** The customers the caller may see, as a condition on a customers alias (`TRUE` when all). For analytics' raw SQL. */
  customerCondition(alias: string): string {
    return this.rowCondition('customers', alias) ?? 'TRUE';
  }

  /** Requires read access to the table's area and returns its row condition. */
  readScope(table: string, alias = 'a'): string | null {
    this.require(`${areaOfTable(table)}:read`);
    return this.rowCondition(table, alias);
  }
}

function permissionsOf(actor: Actor): Permission[] {
  if (actor.kind === 'system') return everything();
  if (actor.kind === 'anonymous') return [];
  if (actor.role === AccessRole.PARTNER) return (actor.scopes ?? []).flatMap((s) => SCOPE_PERMISSIONS[s] ?? []);
  return [...ROLE_PERMISSIONS[actor.role]];
}

/** Roles a customer may be owned by: the people who work relationships. */
export const OWNER_ROLES: readonly string[] = [AccessRole.SALES_REP, AccessRole.MANAGER];
