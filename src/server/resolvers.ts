import { ContactResolver, CustomerContactResolver } from '../contact/contact.resolver';
import { CustomerInsightResolver, CustomerModelResolver, InsightAnalyticsResolver } from '../insight/insight.resolver';
import { CustomerOrderResolver, OrderLineResolver, OrderResolver } from '../order/order.resolver';
import { ProductResolver } from '../product/product.resolver';
import { CustomerTouchpointResolver, TouchpointResolver } from '../touchpoint/touchpoint.resolver';

/**
 * Resolvers of the remaining domains. Each domain adds its classes here; kept apart
 * from schema.ts so that domains can be added without touching the wiring.
 */
export const domainResolvers: Function[] = [
  ContactResolver,
  CustomerContactResolver,
  TouchpointResolver,
  CustomerTouchpointResolver,
  ProductResolver,
  OrderResolver,
  OrderLineResolver,
  CustomerOrderResolver,
  CustomerModelResolver,
  CustomerInsightResolver,
  InsightAnalyticsResolver,
];
