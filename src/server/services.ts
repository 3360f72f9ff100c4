import { ApiKeyService } from '../apikey/api-key.service';
import { AssignmentService } from '../assignment/assignment.service';
import { AuditService } from '../audit/audit.service';
import { CampaignService } from '../campaign/campaign.service';
import { ComplaintService } from '../complaint/complaint.service';
import { ContactService } from '../contact/contact.service';
import type { ServiceDeps } from '../core/request-scope';
import { CustomerService } from '../customer/customer.service';
import { CustomFieldService } from '../customfield/custom-field.service';
import { EventService } from '../event/event.service';
import { InsightService } from '../insight/insight.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { LoyaltyService } from '../loyalty/loyalty.service';
import { OpportunityService } from '../opportunity/opportunity.service';
import { PipelineService } from '../opportunity/pipeline.service';
import { OrderService } from '../order/order.service';
import { PrivacyService } from '../privacy/privacy.service';
import { ProductService } from '../product/product.service';
import { SurveyService } from '../survey/survey.service';
import { AgendaService } from '../task/agenda.service';
import { TaskService } from '../task/task.service';
import { TimelineService } from '../timeline/timeline.service';
import { TouchpointService } from '../touchpoint/touchpoint.service';
import { UserService } from '../user/user.service';

export function createServices(deps: ServiceDeps) {
  const insight = new InsightService(deps);
  const touchpoints = new TouchpointService(deps);
  const tasks = new TaskService(deps, touchpoints);
  // logTouchpoint's nextFollowUp schedules through the task domain, which sits above the touchpoint domain.
  touchpoints.followUps = tasks;
  return {
    customers: new CustomerService(deps),
    contacts: new ContactService(deps),
    products: new ProductService(deps),
    orders: new OrderService(deps),
    touchpoints,
    tasks,
    agenda: new AgendaService(deps, tasks),
    opportunities: new OpportunityService(deps),
    pipelines: new PipelineService(deps),
    assignment: new AssignmentService(deps),
    complaints: new ComplaintService(deps),
    surveys: new SurveyService(deps, touchpoints),
    lifecycle: new LifecycleService(deps),
    timeline: new TimelineService(deps),
    loyalty: new LoyaltyService(deps),
    users: new UserService(deps),
    apiKeys: new ApiKeyService(deps),
    audit: new AuditService(deps),
    privacy: new PrivacyService(deps),
    insight,
    campaigns: new CampaignService(deps),
    customFields: new CustomFieldService(deps),
    events: new EventService(deps),
  };
}

export type DomainServices = ReturnType<typeof createServices>;

declare module '../core/request-scope' {
  // Core's Services is the domains' services, as wired here.
  interface Services extends DomainServices {}
}
