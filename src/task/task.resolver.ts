import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Contact } from '../contact/contact.entity';
import { Complaint } from '../complaint/complaint.entity';
import { Customer } from '../customer/customer.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import type { Context } from '../core/request-scope';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import { TouchpointPayload } from '../touchpoint/touchpoint.types';
import { User } from '../user/user.entity';
import { AcceptSuggestionInput, AgendaItem, AgendaItemConnection, MyAgendaArgs } from './agenda.types';
import { Task } from './task.entity';
import {
  CancelTaskInput,
  CompleteTaskInput,
  CustomerTasksArgs,
  ReassignTaskInput,
  ScheduleTaskInput,
  SnoozeTaskInput,
  TaskConnection,
  TaskPayload,
  TasksArgs,
  UpdateTaskInput,
} from './task.types';

@Resolver(() => Task)
export class TaskResolver {
  @Query(() => TaskConnection, { description: 'Tasks, filtered and sorted (default: earliest on the agenda first), a page at a time. A sales rep sees their own tasks on customers in their book.' })
  tasks(@Args() args: TasksArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, overdue, asOf, ...page } = args;
    return ctx.services.tasks.list({ page, filter: filter as Record<string, unknown>, orderBy }, overdue, asOf);
  }

  @Query(() => AgendaItemConnection, {
    description:
      'The caller’s agenda: their open tasks and the playbook’s suggestions (care routines of careAgenda, contact-cadence follow-ups) for the customers in their book, due before `to`, overdue first, in one list ordered by due time and paged by cursor.',
  })
  myAgenda(@Args() args: MyAgendaArgs, @Ctx() ctx: Context) {
    return ctx.services.agenda.myAgenda(args);
  }

  @FieldResolver(() => Customer, { description: 'The customer.' })
  customer(@Root() t: Task, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(t.customerId);
  }

  @FieldResolver(() => Contact, { nullable: true, description: 'The contact to speak to, if one was named.' })
  contact(@Root() t: Task, @Ctx() ctx: Context) {
    return t.contactId ? ctx.loaders.byId(Contact).load(t.contactId) : null;
  }

  @FieldResolver(() => Opportunity, { nullable: true, description: 'The opportunity it works towards; null when none, or one you may not see.' })
  opportunity(@Root() t: Task, @Ctx() ctx: Context) {
    return t.opportunityId ? ctx.loaders.byId(Opportunity).load(t.opportunityId) : null;
  }

  @FieldResolver(() => Complaint, { nullable: true, description: 'The complaint it answers (an escalated complaint is a COMPLAINT_RESPONSE task for the manager); null when none.' })
  complaint(@Root() t: Task, @Ctx() ctx: Context) {
    return t.complaintId ? ctx.loaders.byId(Complaint).load(t.complaintId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who does it.' })
  owner(@Root() t: Task, @Ctx() ctx: Context) {
    return ctx.loaders.byId(User).load(t.ownerId);
  }

  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The touchpoint logged when it was done; null unless DONE.' })
  completionTouchpoint(@Root() t: Task, @Ctx() ctx: Context) {
    return t.completionTouchpointId ? ctx.loaders.byId(Touchpoint).load(t.completionTouchpointId) : null;
  }

  @Mutation(() => TaskPayload, { description: 'Schedule a task for a customer and/or one of their contacts.' })
  scheduleTask(@Arg('input', { description: 'The task.' }) input: ScheduleTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.schedule(input);
  }

  @Mutation(() => TaskPayload, { description: 'Change an open task. Omitted fields stay; pass `expectedVersion` to guard against concurrent edits.' })
  updateTask(@Arg('input', { description: 'The task and the changes.' }) input: UpdateTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.update(input);
  }

  @Mutation(() => TaskPayload, { description: 'Mark an open task done and log its touchpoint (e.g. the visit with its notes) in the same transaction: both are written or neither.' })
  completeTask(@Arg('input', { description: 'The task and what happened.' }) input: CompleteTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.complete(input);
  }

  @Mutation(() => TaskPayload, { description: 'Put an open task off until later: it leaves the agenda until then.' })
  snoozeTask(@Arg('input', { description: 'The task and until when.' }) input: SnoozeTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.snooze(input);
  }

  @Mutation(() => TaskPayload, { description: 'Hand an open task to another sales rep (who owns the customer) or a manager.' })
  reassignTask(@Arg('input', { description: 'The task and its new owner.' }) input: ReassignTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.reassign(input);
  }

  @Mutation(() => TaskPayload, { description: 'Drop an open task without doing it.' })
  cancelTask(@Arg('input', { description: 'The task.' }) input: CancelTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.cancel(input);
  }

  @Mutation(() => TaskPayload, { description: 'Turn a suggestion of myAgenda into a task for the caller; the suggestion is not offered again.' })
  acceptSuggestion(@Arg('input', { description: 'The suggestion.' }) input: AcceptSuggestionInput, @Ctx() ctx: Context) {
    return ctx.services.agenda.acceptSuggestion(input);
  }
}

@Resolver(() => AgendaItem)
export class AgendaItemResolver {
  @FieldResolver(() => Customer, { nullable: true, description: 'The customer.' })
  customer(@Root() i: AgendaItem, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(i.customerId);
  }

  @FieldResolver(() => Contact, { nullable: true, description: 'The contact: whose birthday it is, or whom the task names.' })
  contact(@Root() i: AgendaItem, @Ctx() ctx: Context) {
    return i.contactId ? ctx.loaders.byId(Contact).load(i.contactId) : null;
  }

  @FieldResolver(() => Task, { nullable: true, description: 'For a TASK item, the task; null for a suggestion.' })
  task(@Root() i: AgendaItem, @Ctx() ctx: Context) {
    return i.taskId ? ctx.loaders.byId(Task).load(i.taskId) : null;
  }
}

/** Task fields on Customer. */
@Resolver(() => Customer)
export class CustomerTaskResolver {
  @FieldResolver(() => TaskConnection, { description: 'The customer’s tasks (a sales rep sees their own), earliest on the agenda first by default.' })
  tasks(@Root() c: Customer, @Args() args: CustomerTasksArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.tasks.ofCustomer(c.id, { page, filter: filter as Record<string, unknown>, orderBy });
  }

  @FieldResolver(() => Date, { nullable: true, description: 'The next follow-up: the earliest time one of the customer’s open tasks is on the agenda (its due time, or its snooze when later); null without open tasks.' })
  nextFollowUpAt(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.tasks.nextFollowUpAt(c.id);
  }
}

/** logTouchpoint's scheduled follow-up, served from here: the task domain sits above the touchpoint domain. */
@Resolver(() => TouchpointPayload)
export class TouchpointFollowUpResolver {
  @FieldResolver(() => Task, { nullable: true, description: 'The task `nextFollowUp` scheduled; null when none was asked for or nothing was written.' })
  nextFollowUp(@Root() p: TouchpointPayload) {
    return (p.nextFollowUp as Task | undefined) ?? null;
  }
}
