import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/request-scope';
import { User } from '../user/user.entity';
import { AssignmentRule } from './assignment-rule.entity';
import {
  ApplyAssignmentRulesInput,
  AssignmentRuleIdInput,
  AssignmentRulePayload,
  AssignmentRulesArgs,
  AssignmentRunPayload,
  CreateAssignmentRuleInput,
  ReassignCustomersInput,
  UpdateAssignmentRuleInput,
} from './assignment.types';

@Resolver(() => AssignmentRule)
export class AssignmentRuleResolver {
  @Query(() => [AssignmentRule], { description: 'The assignment rules, in the order they are tried (first match wins).' })
  assignmentRules(@Args() args: AssignmentRulesArgs, @Ctx() ctx: Context) {
    return ctx.services.assignment.rules(args.includeDeleted);
  }

  @FieldResolver(() => [User], { description: 'Who gets the matching customers: one owner, or a team served in turn.' })
  owners(@Root() rule: AssignmentRule, @Ctx() ctx: Context) {
    return ctx.services.assignment.owners(rule);
  }

  @Mutation(() => AssignmentRulePayload, { description: 'Add an assignment rule (ADMIN, MANAGER).' })
  createAssignmentRule(@Arg('input', () => CreateAssignmentRuleInput, { description: 'The new rule.' }) input: CreateAssignmentRuleInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.create(input);
  }

  @Mutation(() => AssignmentRulePayload, { description: 'Change an assignment rule’s conditions, owners, place or activity (ADMIN, MANAGER).' })
  updateAssignmentRule(@Arg('input', () => UpdateAssignmentRuleInput, { description: 'The rule and the changes.' }) input: UpdateAssignmentRuleInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.update(input);
  }

  @Mutation(() => AssignmentRulePayload, { description: 'Delete an assignment rule (soft delete; the rules after it move up) (ADMIN, MANAGER).' })
  deleteAssignmentRule(@Arg('input', () => AssignmentRuleIdInput, { description: 'The rule.' }) input: AssignmentRuleIdInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.delete(input.id);
  }

  @Mutation(() => AssignmentRunPayload, {
    description:
      'Run the assignment rules over a filtered set of customers, in one transaction, each change audited (ADMIN, MANAGER). A dry run (the default) reports what would change and writes nothing. New customers created without an owner get one from the rules as they are created.',
  })
  applyAssignmentRules(@Arg('input', () => ApplyAssignmentRulesInput, { description: 'Which customers, and whether to write.' }) input: ApplyAssignmentRulesInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.apply(input);
  }

  @Mutation(() => AssignmentRunPayload, { description: 'Hand every customer a filter selects to one owner (e.g. a leaving rep’s book), in one transaction, each change audited (ADMIN, MANAGER).' })
  reassignCustomers(@Arg('input', () => ReassignCustomersInput, { description: 'Which customers, to whom, and whether to write.' }) input: ReassignCustomersInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.reassign(input);
  }
}
