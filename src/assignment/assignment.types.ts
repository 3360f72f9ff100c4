import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../common/errors';
import { CustomerFilter } from '../customer/customer.types';
import { Customer, CustomerKind, Personality } from '../customer/customer.entity';
import { User } from '../user/user.entity';
import { RFM_SEGMENTS, VALUE_TIER_KINDS, type RfmSegment, type ValueTier } from '../intelligence';
import { AssignmentRule } from './assignment-rule.entity';

/** Most owners in one rule's team, and most rules: a rule set is configuration a person reads. */
export const MAX_RULE_OWNERS = 50;
export const MAX_RULES = 200;
/** Most customers one reassignment or rule run changes, in one transaction. */
export const MAX_BULK_CUSTOMERS = 50_000;
/** Changes listed in a run's result (the counts cover all of them). */
export const LISTED_CHANGES = 100;

@InputType({ description: 'The conditions and owners of an assignment rule.' })
export class AssignmentRuleFields {
  @Field(() => [String], { nullable: true, description: 'Sales regions; empty or omitted: any.' })
  regions?: string[] | null;
  @Field(() => [CustomerKind], { nullable: true, description: 'Customer kinds; empty or omitted: any.' })
  kinds?: CustomerKind[] | null;
  @Field(() => [Personality], { nullable: true, description: 'Personalities; empty or omitted: any.' })
  personalities?: Personality[] | null;
  @Field(() => [String], { nullable: true, description: 'Lifecycle stage keys; empty or omitted: any.' })
  lifecycleStages?: string[] | null;
  @Field(() => [RFM_SEGMENTS], { nullable: true, description: 'RFM segments; empty or omitted: any.' })
  segments?: RfmSegment[] | null;
  @Field(() => [VALUE_TIER_KINDS], { nullable: true, description: 'Value tiers; empty or omitted: any.' })
  valueTiers?: ValueTier[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Whether the rule is used (default true).' })
  active?: boolean | null;
}

@InputType({ description: 'A new assignment rule.' })
export class CreateAssignmentRuleInput extends AssignmentRuleFields {
  @Field({ description: 'Name.' })
  name: string;
  @Field(() => [ID], { description: `Who gets the matching customers: one SALES_REP or MANAGER user, or a team (at most ${MAX_RULE_OWNERS}) served in turn.` })
  ownerIds: string[];
  @Field(() => Int, { nullable: true, description: 'Place in the order (from 1); default last. Rules at and after it move down one.' })
  position?: number | null;
}

@InputType({ description: 'Changes to an assignment rule; omitted fields stay as they are.' })
export class UpdateAssignmentRuleInput extends AssignmentRuleFields {
  @Field(() => ID, { description: 'The rule.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;
  @Field(() => [ID], { nullable: true, description: 'New owner or team; the turn starts over.' })
  ownerIds?: string[] | null;
  @Field(() => Int, { nullable: true, description: 'New place in the order (from 1); the rules between move by one.' })
  position?: number | null;
}

@InputType({ description: 'Which rule.' })
export class AssignmentRuleIdInput {
  @Field(() => ID, { description: 'The rule.' })
  id: string;
}

@ObjectType({ description: 'Result of an assignment-rule mutation.' })
export class AssignmentRulePayload {
  @Field(() => AssignmentRule, { nullable: true, description: 'The rule as stored; null when nothing was written.' })
  rule: AssignmentRule | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ArgsType()
export class AssignmentRulesArgs {
  @Field({ defaultValue: false, description: 'Include deleted rules.' })
  includeDeleted: boolean;
}

@InputType({ description: 'Run the assignment rules over a set of customers.' })
export class ApplyAssignmentRulesInput {
  @Field(() => CustomerFilter, { nullable: true, description: 'Which customers (as `customers(filter:)`); omitted: all.' })
  filter?: CustomerFilter | null;
  @Field({ defaultValue: true, description: 'Only customers without an owner; false also moves owned customers a rule gives to someone else.' })
  onlyUnowned: boolean;
  @Field({ defaultValue: true, description: 'Only report what would change; write nothing (round-robin turns are not used up).' })
  dryRun: boolean;
}

@InputType({ description: 'Hand a set of customers to one owner.' })
export class ReassignCustomersInput {
  @Field(() => CustomerFilter, { description: 'Which customers (as `customers(filter:)`), e.g. { owner: { eq: <leaving rep’s ID> } }.' })
  filter: CustomerFilter;
  @Field(() => ID, { description: 'The new owner: a SALES_REP or MANAGER user.' })
  toOwnerId: string;
  @Field({ defaultValue: false, description: 'Only report what would change; write nothing.' })
  dryRun: boolean;
}

@ObjectType({ description: 'One customer’s change of owner in a run.' })
export class CustomerOwnerChange {
  @Field(() => Customer, { description: 'The customer.' })
  customer: Customer;
  @Field(() => User, { nullable: true, description: 'The owner before; null: none.' })
  fromOwner: User | null;
  @Field(() => User, { description: 'The owner after.' })
  toOwner: User;
  @Field(() => AssignmentRule, { nullable: true, description: 'The rule that chose the owner; null for reassignCustomers.' })
  rule: AssignmentRule | null;
}

@ObjectType({ description: 'How many customers one rule matched in a run.' })
export class AssignmentRuleCount {
  @Field(() => AssignmentRule, { description: 'The rule.' })
  rule: AssignmentRule;
  @Field(() => Int, { description: 'Customers it matched (whether or not their owner changes).' })
  customers: number;
}

@ObjectType({ description: 'How many customers one owner gets in a run.' })
export class AssignmentOwnerCount {
  @Field(() => User, { description: 'The owner.' })
  owner: User;
  @Field(() => Int, { description: 'Customers whose owner changes to them.' })
  customers: number;
}

@ObjectType({ description: 'Result of applyAssignmentRules or reassignCustomers.' })
export class AssignmentRunPayload {
  @Field({ description: 'True when nothing was written.' })
  dryRun: boolean;
  @Field(() => Int, { description: 'Customers the filter selected (within your scope).' })
  evaluated: number;
  @Field(() => Int, { description: 'Customers whose owner changes (or would change, in a dry run).' })
  changed: number;
  @Field(() => Int, { description: 'Customers no rule matched (applyAssignmentRules); 0 for reassignCustomers.' })
  unmatched: number;
  @Field(() => [AssignmentRuleCount], { description: 'Customers each rule matched, in rule order (empty for reassignCustomers).' })
  byRule: AssignmentRuleCount[];
  @Field(() => [AssignmentOwnerCount], { description: 'Customers each new owner gets.' })
  byOwner: AssignmentOwnerCount[];
  @Field(() => [CustomerOwnerChange], { description: `The first ${LISTED_CHANGES} changes, by customer ID; the counts cover all of them.` })
  changes: CustomerOwnerChange[];
  @Field(() => [UserError], { description: 'Problems with the input; empty on success. Nothing is written when there are any.' })
  userErrors: UserError[];
}
