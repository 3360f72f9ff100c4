import { ApiKey } from '../apikey/api-key.entity';
import { AssignmentRule } from '../assignment/assignment-rule.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { Complaint, ComplaintEscalation, ComplaintSla, ComplaintTransition } from '../complaint/complaint.entity';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { LifecycleStage } from '../lifecycle/lifecycle-stage.entity';
import { LifecycleTransition } from '../lifecycle/lifecycle-transition.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { Survey, SurveyResponse } from '../survey/survey.entity';
import { Pipeline, PipelineStage } from '../opportunity/pipeline.entity';
import { Order, OrderLine } from '../order/order.entity';
import { Product } from '../product/product.entity';
import { Task } from '../task/task.entity';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import { User } from '../user/user.entity';

export const entities = [User, LifecycleStage, LifecycleTransition, Customer, Contact, Product, Order, OrderLine, Touchpoint, Pipeline, PipelineStage, Opportunity, AssignmentRule, Complaint, ComplaintTransition, ComplaintEscalation, ComplaintSla, Task, Survey, SurveyResponse, ApiKey, AuditEvent];
