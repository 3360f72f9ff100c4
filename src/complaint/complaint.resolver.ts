import { Arg, Args, Ctx, FieldResolver, Float, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Reads } from '../core/selection';
import { instantArgument } from '../common/validate';
import { Contact } from '../contact/contact.entity';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Order } from '../order/order.entity';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import { User } from '../user/user.entity';
import { Complaint, ComplaintEscalation, ComplaintSla, ComplaintTransition } from './complaint.entity';
import { complaintOfTouchpoint, escalationsOf, transitionsOf } from './complaint.loaders';
import {
  AssignComplaintInput,
  UpdateComplaintInput,
  ComplaintAsOfArgs,
  ComplaintConnection,
  ComplaintEscalationConnection,
  ComplaintEscalationsArgs,
  ComplaintPayload,
  ComplaintsArgs,
  ComplaintSlaPayload,
  ComplaintStats,
  ComplaintStatsArgs,
  ComplaintStepInput,
  EscalateComplaintInput,
  OpenComplaintInput,
  RecordComplaintFeedbackInput,
  ResolveComplaintInput,
  SetComplaintSlaInput,
} from './complaint.types';
import { ComplaintStatus } from './complaint.vocabulary';

@Resolver(() => Complaint)
export class ComplaintResolver {
  @Query(() => ComplaintConnection, { description: 'Complaints of all customers the caller may see, filtered and sorted (default: most recently opened first).' })
  complaints(@Args() args: ComplaintsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.complaints.list({ page, filter: filter as Record<string, unknown>, orderBy });
  }

  @Query(() => ComplaintEscalationConnection, { description: 'Escalated complaints, most recent first: filter on `toUser` for a manager’s own.' })
  complaintEscalations(@Args() args: ComplaintEscalationsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.complaints.escalations({ page, filter: filter as Record<string, unknown>, orderBy });
  }

  @Query(() => [ComplaintSla], { description: 'The service levels per severity, LOW to CRITICAL.' })
  complaintSlas(@Ctx() ctx: Context) {
    return ctx.services.complaints.slas();
  }

  @Query(() => ComplaintStats, {
    description: 'How complaints opened in a period were handled, in total and per group: counts, median first-response and resolution hours, share within the service levels, overdue, compensation per currency and share of customers satisfied with the resolution.',
  })
  complaintStats(@Args() args: ComplaintStatsArgs, @Ctx() ctx: Context) {
    return ctx.services.complaints.stats(args);
  }

  @FieldResolver(() => Customer, { description: 'The customer who complained.' })
  customer(@Root() c: Complaint, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(c.customerId);
  }

  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The inbound COMPLAINT touchpoint it came in as.' })
  touchpoint(@Root() c: Complaint, @Ctx() ctx: Context) {
    return c.touchpointId ? ctx.loaders.byId(Touchpoint).load(c.touchpointId) : null;
  }

  @FieldResolver(() => Contact, { nullable: true, description: 'The contact who complained, if recorded.' })
  contact(@Root() c: Complaint, @Ctx() ctx: Context) {
    return c.contactId ? ctx.loaders.byId(Contact).load(c.contactId) : null;
  }

  @FieldResolver(() => Order, { nullable: true, description: 'The order it concerns, if any.' })
  order(@Root() c: Complaint, @Ctx() ctx: Context) {
    return c.orderId ? ctx.loaders.byId(Order).load(c.orderId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member it is assigned to.' })
  assignee(@Root() c: Complaint, @Ctx() ctx: Context) {
    return c.assigneeId ? ctx.loaders.byId(User).load(c.assigneeId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The more senior handler it was last escalated to; null when never escalated (or to no one on record).' })
  escalatedTo(@Root() c: Complaint, @Ctx() ctx: Context) {
    return c.escalatedToId ? ctx.loaders.byId(User).load(c.escalatedToId) : null;
  }

  @FieldResolver(() => Boolean, { description: 'Whether it is unresolved and past its first-response or resolution due time at `asOf` (default now).' })
  isOverdue(@Root() c: Complaint, @Args() { asOf }: ComplaintAsOfArgs) {
    return c.isOverdueAt(asOf ? instantArgument(asOf, 'asOf') : new Date());
  }

  @FieldResolver(() => [ComplaintTransition], { description: 'Every status change, oldest first, starting with the opening.' })
  transitions(@Root() c: Complaint, @Ctx() ctx: Context) {
    return transitionsOf(ctx.loaders).load(c.id);
  }

  @FieldResolver(() => [ComplaintEscalation], { description: 'Every escalation, oldest first.' })
  escalations(@Root() c: Complaint, @Ctx() ctx: Context) {
    return escalationsOf(ctx.loaders).load(c.id);
  }

  @Mutation(() => ComplaintPayload, { description: 'Open a complaint: logs the inbound COMPLAINT touchpoint and the complaint in one transaction, with due times from the severity’s service levels.' })
  openComplaint(@Arg('input', { description: 'The complaint.' }) input: OpenComplaintInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.open(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Record the first response to the customer: OPEN → ACKNOWLEDGED, sets `firstResponseAt`.' })
  acknowledgeComplaint(@Arg('input', { description: 'The complaint and the response.' }) input: ComplaintStepInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.acknowledge(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Start working on a fix: OPEN or ACKNOWLEDGED → IN_PROGRESS (from OPEN it is also the first response).' })
  startComplaintWork(@Arg('input', { description: 'The complaint.' }) input: ComplaintStepInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.startWork(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Resolve a complaint with how it was fixed, optionally why it happened and what the customer was given: OPEN, ACKNOWLEDGED or IN_PROGRESS → RESOLVED.' })
  resolveComplaint(@Arg('input', { description: 'The complaint and its resolution.' }) input: ResolveComplaintInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.resolve(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Close a resolved complaint once the customer has been told: RESOLVED → CLOSED. Final.' })
  closeComplaint(@Arg('input', { description: 'The complaint.' }) input: ComplaintStepInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.close(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'The customer says it is not fixed: RESOLVED → IN_PROGRESS, with a new resolution due time from now.' })
  reopenComplaint(@Arg('input', { description: 'The complaint and why.' }) input: ComplaintStepInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.reopen(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Correct a complaint’s category, severity (its due times follow while it is unresolved), subject or description.' })
  updateComplaint(@Arg('input', { description: 'The complaint and the corrections.' }) input: UpdateComplaintInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.update(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Give a complaint to another handler (a sales rep, manager or admin).' })
  assignComplaint(@Arg('input', { description: 'The complaint and its new handler.' }) input: AssignComplaintInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.assign(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Hand an unresolved complaint to a more senior handler (default: the handler’s manager): escalation level + 1, recorded in `escalations`.' })
  escalateComplaint(@Arg('input', { description: 'The complaint, who takes over and why.' }) input: EscalateComplaintInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.escalate(input);
  }

  @Mutation(() => ComplaintPayload, { description: 'Record whether the customer is satisfied with the resolution of a resolved or closed complaint.' })
  recordComplaintFeedback(@Arg('input', { description: 'The complaint and the feedback.' }) input: RecordComplaintFeedbackInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.recordFeedback(input);
  }

  @Mutation(() => ComplaintSlaPayload, { description: 'Change the service levels of a severity (ADMIN or MANAGER). Applies to complaints opened from now on.' })
  setComplaintSla(@Arg('input', { description: 'The severity and its new hours.' }) input: SetComplaintSlaInput, @Ctx() ctx: Context) {
    return ctx.services.complaints.setSla(input);
  }
}

@Resolver(() => ComplaintEscalation)
export class ComplaintEscalationResolver {
  @FieldResolver(() => Complaint, { nullable: true, description: 'The complaint.' })
  complaint(@Root() e: ComplaintEscalation, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Complaint).load(e.complaintId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The handler before.' })
  fromUser(@Root() e: ComplaintEscalation, @Ctx() ctx: Context) {
    return e.fromUserId ? ctx.loaders.byId(User).load(e.fromUserId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The more senior handler; null when the handler had no manager on record.' })
  toUser(@Root() e: ComplaintEscalation, @Ctx() ctx: Context) {
    return e.toUserId ? ctx.loaders.byId(User).load(e.toUserId) : null;
  }
}

@Resolver(() => ComplaintTransition)
export class ComplaintTransitionResolver {
  @FieldResolver(() => User, { nullable: true, description: 'The staff member who made the change, when it was one.' })
  by(@Root() t: ComplaintTransition, @Ctx() ctx: Context) {
    return t.byUserId ? ctx.loaders.byId(User).load(t.byUserId) : null;
  }
}

/** Complaint fields on Customer and Touchpoint. */
@Resolver(() => Customer)
export class CustomerComplaintResolver {
  @FieldResolver(() => ComplaintConnection, { description: 'The customer’s complaints, most recently opened first by default.' })
  complaints(@Root() c: Customer, @Args() args: ComplaintsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.complaints.ofCustomer(c.id, { page, filter: filter as Record<string, unknown>, orderBy });
  }
}

@Resolver(() => Touchpoint)
export class TouchpointComplaintResolver {
  @FieldResolver(() => Complaint, { nullable: true, description: 'For a COMPLAINT touchpoint: the complaint it opened, with its status and handling.' })
  @Reads('id')
  complaint(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return complaintOfTouchpoint(ctx.loaders).load(t.id);
  }

  // The touchpoint's complaint fields predate complaints; they read the complaint, which is the one source of truth.
  @FieldResolver(() => ComplaintStatus, { nullable: true, description: 'For complaints: the status of the complaint it opened (`complaint { status }`). Null for other purposes.' })
  @Reads('id')
  async complaintStatus(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return (await complaintOfTouchpoint(ctx.loaders).load(t.id))?.status ?? null;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'For complaints: when the complaint it opened was resolved (`complaint { resolvedAt }`).' })
  @Reads('id')
  async resolvedAt(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return (await complaintOfTouchpoint(ctx.loaders).load(t.id))?.resolvedAt ?? null;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'For resolved complaints: hours from the complaint to its resolution (`complaint { resolutionHours }`).' })
  @Reads('id')
  async responseTimeHours(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return (await complaintOfTouchpoint(ctx.loaders).load(t.id))?.resolutionHours ?? null;
  }
}
