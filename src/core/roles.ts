import { registerEnumType } from 'type-graphql';

/** Staff roles: declared here, below the domains, because the access policy keys off them. */
export enum UserRole {
  ADMIN = 'ADMIN',
  MANAGER = 'MANAGER',
  SALES_REP = 'SALES_REP',
  ANALYST = 'ANALYST',
}
registerEnumType(UserRole, {
  name: 'UserRole',
  description: 'What a staff member does in the CRM; access rules key off it.',
  valuesConfig: {
    ADMIN: { description: 'Configures Rapport and manages staff and API keys.' },
    MANAGER: { description: 'Leads a sales team; sees every customer.' },
    SALES_REP: { description: 'Owns a book of customers and works their relationships.' },
    ANALYST: { description: 'Reads data and analytics; does not change customer records.' },
  },
});

/** The role a credential acts with: a staff role, or PARTNER for an integration's API key limited by scopes. */
export enum AccessRole {
  ADMIN = 'ADMIN',
  MANAGER = 'MANAGER',
  SALES_REP = 'SALES_REP',
  ANALYST = 'ANALYST',
  PARTNER = 'PARTNER',
}
registerEnumType(AccessRole, {
  name: 'AccessRole',
  description: 'The role a credential acts with.',
  valuesConfig: {
    ADMIN: { description: 'Everything, including API keys, users and the audit log.' },
    MANAGER: { description: 'Reads and changes every customer; no key or user management.' },
    SALES_REP: { description: 'Reads and changes only the customers they own, and those customers’ contacts, orders and touchpoints.' },
    ANALYST: { description: 'Reads everything with personal data masked; changes nothing.' },
    PARTNER: { description: 'An integration: limited to the scopes its API key was given.' },
  },
});

/** What a partner key may do. The values are the scope names partners see in docs and on the command line. */
export enum Scope {
  CUSTOMERS_READ = 'customers:read',
  CUSTOMERS_WRITE = 'customers:write',
  ORDERS_READ = 'orders:read',
  ORDERS_WRITE = 'orders:write',
  TOUCHPOINTS_READ = 'touchpoints:read',
  TOUCHPOINTS_WRITE = 'touchpoints:write',
  OPPORTUNITIES_READ = 'opportunities:read',
  OPPORTUNITIES_WRITE = 'opportunities:write',
  ANALYTICS_READ = 'analytics:read',
  CAMPAIGNS_READ = 'campaigns:read',
  CAMPAIGNS_WRITE = 'campaigns:write',
  LOYALTY_READ = 'loyalty:read',
  LOYALTY_WRITE = 'loyalty:write',
  PII_READ = 'pii:read',
}
registerEnumType(Scope, {
  name: 'ApiScope',
  description: 'What a PARTNER API key may do (on the command line: `customers:read`, `orders:write`, …).',
  valuesConfig: {
    CUSTOMERS_READ: { description: '`customers:read`: read customers, their contacts and lifecycle history.' },
    CUSTOMERS_WRITE: { description: '`customers:write`: create and change customers and contacts.' },
    ORDERS_READ: { description: '`orders:read`: read orders and products.' },
    ORDERS_WRITE: { description: '`orders:write`: record and change orders.' },
    TOUCHPOINTS_READ: { description: '`touchpoints:read`: read touchpoints (calls, emails, complaints, surveys).' },
    TOUCHPOINTS_WRITE: { description: '`touchpoints:write`: log and change touchpoints.' },
    OPPORTUNITIES_READ: { description: '`opportunities:read`: read opportunities, their stage history, pipelines and pipeline summaries.' },
    OPPORTUNITIES_WRITE: { description: '`opportunities:write`: create, change, move, win and lose opportunities.' },
    ANALYTICS_READ: { description: '`analytics:read`: scores, models and analyst queries.' },
    CAMPAIGNS_READ: { description: '`campaigns:read`: read marketing campaigns, their members, statistics and CSV export.' },
    CAMPAIGNS_WRITE: { description: '`campaigns:write`: create, launch and change campaigns, and report sends and responses back.' },
    LOYALTY_READ: { description: '`loyalty:read`: read the loyalty programme, members’ accounts and points ledgers, and loyalty statistics.' },
    LOYALTY_WRITE: { description: '`loyalty:write`: enrol customers in the loyalty programme and redeem their points.' },
    PII_READ: { description: '`pii:read`: see personal data unmasked (email, phone, address, birthday, notes).' },
  },
});
