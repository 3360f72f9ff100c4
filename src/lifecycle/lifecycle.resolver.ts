import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Customer } from '../customer/customer.entity';
import type { Context } from '../core/request-scope';
import { User } from '../user/user.entity';
import { LifecycleStage } from './lifecycle-stage.entity';
import { LifecycleTransition } from './lifecycle-transition.entity';
import { stageById } from './lifecycle.loaders';
import {
  LifecycleHistoryArgs,
  LifecycleStageConnection,
  LifecycleStagePayload,
  SetContactCadenceInput,
  LifecycleStagesArgs,
  LifecycleTransitionConnection,
  MoveCustomerToStageInput,
  MoveCustomerToStagePayload,
} from './lifecycle.types';

@Resolver(() => LifecycleStage)
export class LifecycleStageResolver {
  @Query(() => LifecycleStageConnection, { description: 'The lifecycle stage catalog, in funnel order.' })
  lifecycleStages(@Args() args: LifecycleStagesArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.lifecycle.stages({ page, filter: filter as Record<string, unknown>, orderBy });
  }

  @Mutation(() => LifecycleStagePayload, { description: 'Set a stage’s contact cadence: after how many days without a touchpoint myAgenda suggests a follow-up for its customers (ADMIN and MANAGER).' })
  setContactCadence(@Arg('input', { description: 'The stage and its cadence.' }) input: SetContactCadenceInput, @Ctx() ctx: Context) {
    return ctx.services.lifecycle.setContactCadence(input);
  }
}

@Resolver(() => LifecycleTransition)
export class LifecycleTransitionResolver {
  @FieldResolver(() => Customer, { description: 'The customer who moved.' })
  customer(@Root() t: LifecycleTransition, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(t.customerId);
  }

  @FieldResolver(() => LifecycleStage, { nullable: true, description: 'Stage before the move; null for the first stage.' })
  from(@Root() t: LifecycleTransition, @Ctx() ctx: Context) {
    return t.fromStageId ? stageById(ctx.loaders).load(t.fromStageId) : null;
  }

  @FieldResolver(() => LifecycleStage, { description: 'Stage after the move.' })
  to(@Root() t: LifecycleTransition, @Ctx() ctx: Context) {
    return stageById(ctx.loaders).load(t.toStageId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff user who made the move, when it was a person.' })
  actorUser(@Root() t: LifecycleTransition, @Ctx() ctx: Context) {
    return t.actorUserId ? ctx.loaders.byId(User).load(t.actorUserId) : null;
  }

  @Mutation(() => MoveCustomerToStagePayload, { description: 'Move a customer to another lifecycle stage and record the transition (source MANUAL).' })
  moveCustomerToStage(@Arg('input', { description: 'The customer, the target stage and why.' }) input: MoveCustomerToStageInput, @Ctx() ctx: Context) {
    return ctx.services.lifecycle.moveCustomerToStage(input);
  }
}

/** Lifecycle fields on Customer. */
@Resolver(() => Customer)
export class CustomerLifecycleResolver {
  @FieldResolver(() => LifecycleStage, { nullable: true, description: 'Current lifecycle stage.' })
  lifecycleStage(@Root() c: Customer, @Ctx() ctx: Context) {
    return c.lifecycleStageId ? stageById(ctx.loaders).load(c.lifecycleStageId) : null;
  }

  @FieldResolver(() => LifecycleTransitionConnection, { description: 'The relationship’s history: every stage change, newest first by default.' })
  lifecycleHistory(@Root() c: Customer, @Args() args: LifecycleHistoryArgs, @Ctx() ctx: Context) {
    const { filter, direction, ...page } = args;
    return ctx.services.lifecycle.history(c.id, { page, filter: filter as Record<string, unknown>, orderBy: { field: 'AT', direction } });
  }
}
