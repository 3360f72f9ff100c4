import { CurrencyResolver, DateResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { CustomFieldFilter } from '../customfield/custom-field.types';
import { BooleanFilter, DateFilter, DateTimeFilter, DecimalFilter, EnumFilter, IDFilter, StringFilter } from '../common/filter.types';
import { MAX_AMOUNT_LABEL } from '../common/money';
import { Money } from '../common/money.types';
import { DecimalScalar } from '../common/scalars';
import { Opportunity, OpportunityStatus } from './opportunity.entity';
import { Pipeline, PipelineStage } from './pipeline.entity';

export const OpportunityConnection = ConnectionType(Opportunity, 'Opportunity', 'opportunity');

/** Limits of one call. */
export const MAX_PRODUCTS_PER_OPPORTUNITY = 50;
export const MAX_STAGES_PER_PIPELINE = 20;

export enum OpportunitySortField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  EXPECTED_CLOSE_DATE = 'EXPECTED_CLOSE_DATE',
  AMOUNT = 'AMOUNT',
  STAGE_ENTERED_AT = 'STAGE_ENTERED_AT',
  LAST_ACTIVITY_AT = 'LAST_ACTIVITY_AT',
  CUSTOM_FIELD = 'CUSTOM_FIELD',
}
registerEnumType(OpportunitySortField, {
  name: 'OpportunitySortField',
  description: 'Fields opportunities can be sorted by.',
  valuesConfig: {
    CREATED_AT: { description: 'When the opportunity was recorded.' },
    UPDATED_AT: { description: 'When it was last changed.' },
    EXPECTED_CLOSE_DATE: { description: 'Expected close date; opportunities without one count as the latest.' },
    AMOUNT: { description: 'Amount (in each pipeline’s currency).' },
    STAGE_ENTERED_AT: { description: 'When it entered its current stage.' },
    LAST_ACTIVITY_AT: { description: 'When it was last touched: ASC puts the most neglected first.' },
    CUSTOM_FIELD: { description: 'A custom field of the opportunity, named by `orderBy.customField` (top-level list only; records without a value come last in both directions).' },
  },
});
export const OpportunityOrderBy = OrderByType(OpportunitySortField, 'Opportunity', OpportunitySortField.CREATED_AT, SortDirection.DESC, { customFields: true });

const OpportunityStatusFilter = EnumFilter(OpportunityStatus, 'OpportunityStatus');

@InputType({ description: 'Conditions on opportunities. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class OpportunityFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The pipeline (Pipeline ID).' })
  pipeline?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The current stage (PipelineStage ID).' })
  stage?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The owner (User ID).' })
  owner?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The customer (Customer ID).' })
  customer?: IDFilter;
  @Field(() => OpportunityStatusFilter, { nullable: true, description: 'OPEN, WON or LOST.' })
  status?: object;
  @Field(() => StringFilter, { nullable: true, description: 'Name.' })
  name?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Source.' })
  source?: StringFilter;
  @Field(() => DateFilter, { nullable: true, description: 'Expected close date.' })
  expectedCloseDate?: object;
  @Field(() => DecimalFilter, { nullable: true, description: 'Amount, in the pipeline’s currency.' })
  amount?: object;
  @Field(() => BooleanFilter, {
    nullable: true,
    description: 'Rotting now: open and untouched for longer than its stage’s rotting period (as `isRotting` without asOf).',
  })
  rotting?: BooleanFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was won or lost.' })
  closedAt?: object;
  @Field(() => CustomFieldFilter, { nullable: true, description: 'A custom field’s value, e.g. { key: "hobbies", text: { contains: "sailing" } } (combine several with `and`).' })
  customField?: CustomFieldFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was recorded.' })
  createdAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was deleted (use with includeDeleted).' })
  deletedAt?: object;
  @Field(() => [OpportunityFilter], { nullable: true, description: 'All of these conditions.' })
  and?: OpportunityFilter[];
  @Field(() => [OpportunityFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: OpportunityFilter[];
  @Field(() => OpportunityFilter, { nullable: true, description: 'Not this condition.' })
  not?: OpportunityFilter;
}

@ArgsType()
export class CustomerOpportunitiesArgs extends PageArgs {
  @Field(() => OpportunityFilter, { nullable: true, description: 'Only opportunities matching these conditions.' })
  filter?: OpportunityFilter | null;

  @Field(() => OpportunityOrderBy, { nullable: true, description: 'Sort order (default: newest first).' })
  orderBy?: { field: OpportunitySortField; direction: SortDirection; customField?: string | null } | null;
}

@ArgsType()
export class OpportunitiesArgs extends CustomerOpportunitiesArgs {
  @Field({ defaultValue: false, description: 'Include soft-deleted opportunities.' })
  includeDeleted: boolean;
}

@ArgsType()
export class AsOfArgs {
  @Field(() => Date, { nullable: true, description: 'The instant to compute for (default now).' })
  asOf?: Date | null;
}

@ObjectType({ description: 'A stint of an opportunity in one stage: when it entered and when it left.' })
export class OpportunityStageVisit {
  stageId: string;

  @Field(() => PipelineStage, { description: 'The stage.' })
  stage: PipelineStage;

  @Field({ description: 'When the opportunity entered the stage.' })
  enteredAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it left (moved on, or was won or lost); null while it is still there.' })
  leftAt: Date | null;
}

// -- opportunity inputs ------------------------------------------------------------------------------------------------

@InputType({ description: 'Fields shared by createOpportunity and updateOpportunity.' })
export class OpportunityFields {
  @Field(() => ID, { nullable: true, description: 'The contact the deal is with; must be a contact of the opportunity’s customer.' })
  contactId?: string | null;
  @Field(() => [ID], { nullable: true, description: `Products the deal is about (at most ${MAX_PRODUCTS_PER_OPPORTUNITY}); replaces the list on update.` })
  productIds?: string[] | null;
  @Field(() => DateResolver, { nullable: true, description: 'When the deal is expected to close (from 1900-01-01 to 9999-12-31).' })
  expectedCloseDate?: Date | null;
  @Field(() => String, { nullable: true, description: 'Where it came from, e.g. "Trade fair".' })
  source?: string | null;
  @Field(() => String, { nullable: true, description: 'The next thing to do to move it on.' })
  nextStep?: string | null;
}

@InputType({ description: 'A new opportunity. It starts OPEN, in the first stage of its pipeline unless another stage is given.' })
export class CreateOpportunityInput extends OpportunityFields {
  @Field(() => ID, { description: 'The customer; must not be deleted. A sales rep can only name customers of their own book.' })
  customerId: string;
  @Field({ description: 'What is being sold, in a few words.' })
  name: string;
  @Field(() => DecimalScalar, { description: `What the deal is worth if won: not negative, at most ${MAX_AMOUNT_LABEL}, no finer than the currency’s minor unit.` })
  amount: string;
  @Field(() => CurrencyResolver, { nullable: true, description: 'Currency of the amount; must be the pipeline’s (the default).' })
  currency?: string | null;
  @Field(() => ID, { nullable: true, description: 'The pipeline (default: the default pipeline).' })
  pipelineId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The stage to start in (default: the pipeline’s first); must be a stage of the pipeline.' })
  stageId?: string | null;
  @Field(() => ID, {
    nullable: true,
    description: 'Who works it: a SALES_REP or MANAGER. Default: the caller when they may own opportunities, else the customer’s owner. A sales rep’s opportunities are their own.',
  })
  ownerId?: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was opened (default now); not before 1900-01-01, not in the future.' })
  openedAt?: Date | null;
}

@InputType({ description: 'Changes to an opportunity. Omitted fields stay as they are; null clears a field. Stage, owner and status change through their own mutations.' })
export class UpdateOpportunityInput extends OpportunityFields {
  @Field(() => ID, { description: 'The opportunity to change.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the opportunity changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'Name; cannot be cleared.' })
  name?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'Amount, in the opportunity’s currency; cannot be cleared. Only while open.' })
  amount?: string | null;
}

@InputType({ description: 'Moves an open opportunity to another stage of its pipeline.' })
export class MoveOpportunityStageInput {
  @Field(() => ID, { description: 'The opportunity.' })
  id: string;
  @Field(() => ID, { description: 'The stage to move to: another stage of the same pipeline.' })
  stageId: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => Date, { nullable: true, description: 'When it moved (default now); not before it entered its current stage, not in the future.' })
  movedAt?: Date | null;
}

@InputType({ description: 'Hands an opportunity to another owner.' })
export class AssignOpportunityInput {
  @Field(() => ID, { description: 'The opportunity.' })
  id: string;
  @Field(() => ID, { description: 'The new owner: a SALES_REP or MANAGER user. A sales rep cannot hand their opportunities to someone else.' })
  ownerId: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'Closes an open opportunity as won.' })
export class WinOpportunityInput {
  @Field(() => ID, { description: 'The opportunity.' })
  id: string;
  @Field(() => ID, { nullable: true, description: 'The order the deal became: an order of the same customer, not linked to another opportunity.' })
  orderId?: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was won (default now); not before it entered its stage, not in the future.' })
  closedAt?: Date | null;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'Closes an open opportunity as lost.' })
export class LoseOpportunityInput {
  @Field(() => ID, { description: 'The opportunity.' })
  id: string;
  @Field({ description: 'Why it was lost, e.g. "Price", "Went with a competitor"; required.' })
  reason: string;
  @Field(() => Date, { nullable: true, description: 'When it was lost (default now); not before it entered its stage, not in the future.' })
  closedAt?: Date | null;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'Identifies an opportunity to delete or restore.' })
export class OpportunityIdInput {
  @Field(() => ID, { description: 'The opportunity.' })
  id: string;
}

@ObjectType({ description: 'Result of an opportunity mutation.' })
export class OpportunityPayload {
  @Field(() => Opportunity, { nullable: true, description: 'The opportunity as stored after the change; null when nothing was written.' })
  opportunity: Opportunity | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

// -- pipeline inputs ---------------------------------------------------------------------------------------------------

@InputType({ description: 'A stage of a new pipeline, or a stage to add.' })
export class PipelineStageInput {
  @Field({ description: 'Name, unique within the pipeline.' })
  name: string;
  @Field(() => Float, { description: 'Chance that an opportunity in this stage is won, from 0 to 1, at most 4 decimals.' })
  probability: number;
  @Field(() => Int, { nullable: true, description: 'Days an opportunity may sit untouched in this stage before it rots (1 or more); null: never.' })
  rottingDays?: number | null;
}

@InputType({ description: 'A new pipeline with its stages, in order.' })
export class CreatePipelineInput {
  @Field({ description: 'Name, unique (ignoring case).' })
  name: string;
  @Field(() => CurrencyResolver, { nullable: true, description: 'Currency of its opportunities (default: the base currency).' })
  currency?: string | null;
  @Field(() => [PipelineStageInput], { description: `Its stages, first to last: at least 1, at most ${MAX_STAGES_PER_PIPELINE}.` })
  stages: PipelineStageInput[];
  @Field({ defaultValue: false, description: 'Make it the default pipeline (the previous default stops being one).' })
  isDefault: boolean;
}

@InputType({ description: 'Changes to a pipeline. Omitted fields stay as they are.' })
export class UpdatePipelineInput {
  @Field(() => ID, { description: 'The pipeline.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'New name; cannot be cleared.' })
  name?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true makes it the default pipeline; false is refused (make another pipeline the default instead).' })
  isDefault?: boolean | null;
}

@InputType({ description: 'A stage to add to a pipeline.' })
export class AddPipelineStageInput extends PipelineStageInput {
  @Field(() => ID, { description: 'The pipeline.' })
  pipelineId: string;
  @Field(() => Int, { nullable: true, description: 'Where to insert it, from 1 (default: last); later stages move down one.' })
  position?: number | null;
  @Field(() => Int, { nullable: true, description: 'The pipeline version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'Changes to a stage. Omitted fields stay as they are; null clears the rotting period.' })
export class UpdatePipelineStageInput {
  @Field(() => ID, { description: 'The stage.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The pipeline version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'New name; cannot be cleared.' })
  name?: string | null;
  @Field(() => Float, { nullable: true, description: 'New win probability, from 0 to 1, at most 4 decimals; cannot be cleared.' })
  probability?: number | null;
  @Field(() => Int, { nullable: true, description: 'New rotting period in days (1 or more); null: never rots.' })
  rottingDays?: number | null;
}

@InputType({ description: 'A new order for the stages of a pipeline.' })
export class ReorderPipelineStagesInput {
  @Field(() => ID, { description: 'The pipeline.' })
  pipelineId: string;
  @Field(() => [ID], { description: 'Every stage of the pipeline, each once, first to last.' })
  stageIds: string[];
  @Field(() => Int, { nullable: true, description: 'The pipeline version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@ObjectType({ description: 'Result of a pipeline or stage mutation: the pipeline with its stages after the change.' })
export class PipelinePayload {
  @Field(() => Pipeline, { nullable: true, description: 'The pipeline as stored after the change; null when nothing was written.' })
  pipeline: Pipeline | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

// -- pipeline summary --------------------------------------------------------------------------------------------------

@ArgsType()
export class PipelineSummaryArgs {
  @Field(() => ID, { description: 'The pipeline.' })
  pipelineId: string;
  @Field(() => ID, { nullable: true, description: 'Only this owner’s opportunities (User ID). A sales rep always sees only their own.' })
  ownerId?: string | null;
  @Field(() => Date, { description: 'Start of the period (inclusive).' })
  from: Date;
  @Field(() => Date, { description: 'End of the period (exclusive).' })
  to: Date;
}

@ObjectType({ description: 'One stage in a pipeline summary.' })
export class PipelineStageSummary {
  @Field(() => PipelineStage, { description: 'The stage.' })
  stage: PipelineStage;
  @Field(() => Int, { description: 'Open opportunities in the stage now.' })
  count: number;
  @Field(() => Money, { description: 'Their amounts added up, exactly.' })
  amount: Money;
  @Field(() => Money, { description: 'Their weighted amounts (amount × the stage’s probability, each rounded to the minor unit) added up.' })
  weightedAmount: Money;
  @Field(() => Int, { description: 'Times an opportunity entered the stage during the period.' })
  entered: number;
  @Field(() => Int, { description: 'Of those, how many have since moved to a later stage or been won.' })
  advanced: number;
  @Field(() => Float, { nullable: true, description: 'advanced / entered: conversion to the next stage; null when none entered.' })
  conversionRate: number | null;
  @Field(() => Float, { nullable: true, description: 'Average days spent in the stage by the stints that ended during the period; null when none did.' })
  averageDaysInStage: number | null;
}

@ObjectType({ description: 'Open opportunities expected to close in one calendar month (UTC).' })
export class PipelineForecastMonth {
  @Field({ description: 'The month, as YYYY-MM.' })
  month: string;
  @Field(() => Int, { description: 'Open opportunities expected to close in it.' })
  count: number;
  @Field(() => Money, { description: 'Their amounts added up.' })
  amount: Money;
  @Field(() => Money, { description: 'Their weighted amounts added up: the forecast.' })
  weightedAmount: Money;
}

@ObjectType({ description: 'A pipeline at a glance: what sits in each stage, how it flows, how much is won, and what is expected to close when.' })
export class PipelineSummary {
  @Field(() => Pipeline, { description: 'The pipeline.' })
  pipeline: Pipeline;
  @Field({ description: 'Start of the period (inclusive).' })
  from: Date;
  @Field({ description: 'End of the period (exclusive).' })
  to: Date;
  @Field(() => [PipelineStageSummary], { description: 'Every stage, in order.' })
  stages: PipelineStageSummary[];
  @Field(() => Int, { description: 'Opportunities won during the period.' })
  won: number;
  @Field(() => Int, { description: 'Opportunities lost during the period.' })
  lost: number;
  @Field(() => Float, { nullable: true, description: 'won / (won + lost) over the period; null when none closed.' })
  winRate: number | null;
  @Field(() => Money, { description: 'The amounts of the opportunities won during the period added up.' })
  wonAmount: Money;
  @Field(() => Float, { nullable: true, description: 'Average days from opening to winning, over the opportunities won during the period; null when none was won.' })
  averageSalesCycleDays: number | null;
  @Field(() => [PipelineForecastMonth], { description: 'Open opportunities by expected close month, for the months of the period; months without any are left out.' })
  forecast: PipelineForecastMonth[];
}
