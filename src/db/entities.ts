import { ApiKey } from '../apikey/api-key.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { LifecycleStage } from '../lifecycle/lifecycle-stage.entity';
import { LifecycleTransition } from '../lifecycle/lifecycle-transition.entity';
import { Order, OrderLine } from '../order/order.entity';
import { Product } from '../product/product.entity';
import { Task } from '../task/task.entity';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import { User } from '../user/user.entity';

export const entities = [User, LifecycleStage, LifecycleTransition, Customer, Contact, Product, Order, OrderLine, Touchpoint, Task, ApiKey, AuditEvent];
