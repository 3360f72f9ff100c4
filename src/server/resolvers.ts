import { ApiKeyResolver } from '../apikey/api-key.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { CampaignMemberResolver, CampaignResolver } from '../campaign/campaign.resolver';
import { ComplaintEscalationResolver, ComplaintResolver, ComplaintTransitionResolver, CustomerComplaintResolver, TouchpointComplaintResolver } from '../complaint/complaint.resolver';
import { ContactResolver, CustomerContactResolver } from '../contact/contact.resolver';
import { CustomerResolver } from '../customer/customer.resolver';
import { ContactCustomFieldsResolver, CustomerCustomFieldsResolver, CustomFieldResolver, OpportunityCustomFieldsResolver } from '../customfield/custom-field.resolver';
import { CustomerInsightResolver, CustomerModelResolver, InsightAnalyticsResolver } from '../insight/insight.resolver';
import { CustomerLifecycleResolver, LifecycleStageResolver, LifecycleTransitionResolver } from '../lifecycle/lifecycle.resolver';
import { CustomerLoyaltyResolver, LoyaltyAccountResolver, LoyaltyProgramResolver, PointsTransactionResolver } from '../loyalty/loyalty.resolver';
import { AssignmentRuleResolver } from '../assignment/assignment.resolver';
import { CustomerOpportunityResolver, OpportunityResolver, OpportunityStageVisitResolver, PipelineResolver, PipelineStageResolver } from '../opportunity/opportunity.resolver';
import { CustomerOrderResolver, OrderLineResolver, OrderResolver } from '../order/order.resolver';
import { PrivacyResolver } from '../privacy/privacy.resolver';
import { ProductResolver } from '../product/product.resolver';
import { CustomerSurveyResolver, SurveyInvitationResolver, SurveyResolver, SurveyResponseResolver } from '../survey/survey.resolver';
import { CustomerTouchpointResolver, TouchpointResolver } from '../touchpoint/touchpoint.resolver';
import { AgendaItemResolver, CustomerTaskResolver, TaskResolver, TouchpointFollowUpResolver } from '../task/task.resolver';
import { CustomerTimelineResolver, TimelineEventResolver } from '../timeline/timeline.resolver';
import { UserResolver } from '../user/user.resolver';
import { EventResolver } from '../event/event.resolver';
import { NodeResolver } from './node.resolver';

/** Every resolver class, by domain; a domain that adds fields to Customer does so from its own folder. */
export const resolvers = [
  NodeResolver,
  EventResolver,
  CustomerResolver,
  UserResolver,
  ApiKeyResolver,
  AuditResolver,
  PrivacyResolver,
  LifecycleStageResolver,
  LifecycleTransitionResolver,
  CustomerLifecycleResolver,
  ContactResolver,
  CustomerContactResolver,
  TouchpointResolver,
  CustomerTouchpointResolver,
  PipelineResolver,
  AssignmentRuleResolver,
  PipelineStageResolver,
  OpportunityResolver,
  OpportunityStageVisitResolver,
  CustomerOpportunityResolver,
  ComplaintResolver,
  ComplaintEscalationResolver,
  ComplaintTransitionResolver,
  CustomerComplaintResolver,
  TouchpointComplaintResolver,
  TaskResolver,
  AgendaItemResolver,
  CustomerTaskResolver,
  TouchpointFollowUpResolver,
  SurveyResolver,
  SurveyResponseResolver,
  SurveyInvitationResolver,
  CustomerSurveyResolver,
  ProductResolver,
  OrderResolver,
  OrderLineResolver,
  CustomerOrderResolver,
  TimelineEventResolver,
  CustomerTimelineResolver,
  LoyaltyProgramResolver,
  LoyaltyAccountResolver,
  PointsTransactionResolver,
  CustomerLoyaltyResolver,
  CustomerModelResolver,
  CustomerInsightResolver,
  InsightAnalyticsResolver,
  CampaignResolver,
  CampaignMemberResolver,
  CustomFieldResolver,
  CustomerCustomFieldsResolver,
  ContactCustomFieldsResolver,
  OpportunityCustomFieldsResolver,
] as const;
