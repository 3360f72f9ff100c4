import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Complaint } from '../complaint/complaint.entity';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { Order } from '../order/order.entity';
import { Task } from '../task/task.entity';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import { User } from '../user/user.entity';
import { CustomerTimelineArgs, TimelineEvent, TimelineEventConnection } from './timeline.types';

/** The records behind a page of events load through the batched loaders: one statement per type, not per event. */
@Resolver(() => TimelineEvent)
export class TimelineEventResolver {
  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who did it, when recorded (the system, an import or the escalation job: null). Null too for callers who may not read users (a partner key): the event stays, its author is left out.',
  })
  actor(@Root() e: TimelineEvent, @Ctx() ctx: Context) {
    return e.actorId && ctx.access.can('users:read') ? ctx.loaders.byId(User).load(e.actorId) : null;
  }

  @FieldResolver(() => Order, { nullable: true, description: 'The order placed (ORDER_PLACED).' })
  order(@Root() e: TimelineEvent, @Ctx() ctx: Context) {
    return e.orderId ? ctx.loaders.byId(Order).load(e.orderId) : null;
  }

  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The touchpoint logged (TOUCHPOINT_LOGGED), the one a task logged (TASK_COMPLETED) or the one a complaint came in with (COMPLAINT_OPENED).' })
  touchpoint(@Root() e: TimelineEvent, @Ctx() ctx: Context) {
    return e.touchpointId ? ctx.loaders.byId(Touchpoint).load(e.touchpointId) : null;
  }

  @FieldResolver(() => Opportunity, { nullable: true, description: 'The opportunity (OPPORTUNITY_*).' })
  opportunity(@Root() e: TimelineEvent, @Ctx() ctx: Context) {
    return e.opportunityId ? ctx.loaders.byId(Opportunity).load(e.opportunityId) : null;
  }

  @FieldResolver(() => Task, { nullable: true, description: 'The task done (TASK_COMPLETED).' })
  task(@Root() e: TimelineEvent, @Ctx() ctx: Context) {
    return e.taskId ? ctx.loaders.byId(Task).load(e.taskId) : null;
  }

  @FieldResolver(() => Complaint, { nullable: true, description: 'The complaint (COMPLAINT_*).' })
  complaint(@Root() e: TimelineEvent, @Ctx() ctx: Context) {
    return e.complaintId ? ctx.loaders.byId(Complaint).load(e.complaintId) : null;
  }
}

/** The timeline on Customer. */
@Resolver(() => Customer)
export class CustomerTimelineResolver {
  @FieldResolver(() => TimelineEventConnection, {
    description:
      'Everything that happened with the customer in one list, newest first: orders, touchpoints, lifecycle changes, opportunity stages won and lost, tasks done, complaint steps and owner changes. Keyset-paged (one statement per page however long the history). It shows what the caller may see of each part: kinds from areas the caller cannot read are left out, a sales rep sees the opportunities and tasks they own.',
  })
  timeline(@Root() c: Customer, @Args() args: CustomerTimelineArgs, @Ctx() ctx: Context) {
    return ctx.services.timeline.ofCustomer(c.id, args);
  }
}
