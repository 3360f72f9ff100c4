import type { DataSource } from 'typeorm';
import { ContactService } from '../contact/contact.service';
import { CustomerService } from '../customer/customer.service';
import { InsightService } from '../insight/insight.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { OrderService } from '../order/order.service';
import { ProductService } from '../product/product.service';
import { TouchpointService } from '../touchpoint/touchpoint.service';
import { UserService } from '../user/user.service';
import type { Actor } from './actor';
import type { Config } from './config';
import type { Loaders } from './loaders';

/** What every service gets: the database, the request's actor and loaders, the config. */
export interface ServiceDeps {
  db: DataSource;
  actor: Actor;
  loaders: Loaders;
  config: Config;
}

export function createServices(deps: ServiceDeps) {
  const insight = new InsightService(deps);
  return {
    customers: new CustomerService(deps, insight),
    contacts: new ContactService(deps),
    products: new ProductService(deps),
    orders: new OrderService(deps),
    touchpoints: new TouchpointService(deps),
    lifecycle: new LifecycleService(deps),
    users: new UserService(deps),
    insight,
  };
}

export type Services = ReturnType<typeof createServices>;
