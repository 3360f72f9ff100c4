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
