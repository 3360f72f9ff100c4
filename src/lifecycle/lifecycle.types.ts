import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { DateTimeFilter, EnumFilter, StringFilter } from '../common/filter.types';
import type { ListSpec } from '../common/list-query';
import { Customer } from '../customer/customer.entity';
import { LifecycleStage } from './lifecycle-stage.entity';
import { LifecycleTransition, TransitionSource } from './lifecycle-transition.entity';

export const LifecycleStageConnection = ConnectionType(LifecycleStage, 'LifecycleStage', 'lifecycle stage');
export const LifecycleTransitionConnection = ConnectionType(LifecycleTransition, 'LifecycleTransition', 'lifecycle transition');

export enum LifecycleStageSortField {
  POSITION = 'POSITION',
  NAME = 'NAME',
}
registerEnumType(LifecycleStageSortField, {
  name: 'LifecycleStageSortField',
  description: 'Fields lifecycle stages can be sorted by.',
  valuesConfig: { POSITION: { description: 'Funnel order.' }, NAME: { description: 'Display name.' } },
});
export const LifecycleStageOrderBy = OrderByType(LifecycleStageSortField, 'LifecycleStage', LifecycleStageSortField.POSITION, SortDirection.ASC);

export const lifecycleStageList: ListSpec<LifecycleStage, LifecycleStageFilter, LifecycleStageSortField> = {
  entity: LifecycleStage,
  what: 'lifecycle stage',
  filters: { key: { sql: '{a}.key', kind: 'text' }, name: { sql: '{a}.name', kind: 'text' } },
  sorts: {
    [LifecycleStageSortField.POSITION]: { sql: '{a}.position', pgType: 'int' },
    [LifecycleStageSortField.NAME]: { sql: '{a}.name', pgType: 'text' },
  },
  defaultSort: { field: LifecycleStageSortField.POSITION, direction: SortDirection.ASC },
};

@InputType({ description: 'Conditions on lifecycle stages.' })
export class LifecycleStageFilter {
  @Field(() => StringFilter, { nullable: true, description: 'Stage key, e.g. LOYAL.' })
  key?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Display name.' })
  name?: StringFilter;
  @Field(() => [LifecycleStageFilter], { nullable: true, description: 'All of these conditions.' })
  and?: LifecycleStageFilter[];
  @Field(() => [LifecycleStageFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: LifecycleStageFilter[];
  @Field(() => LifecycleStageFilter, { nullable: true, description: 'Not this condition.' })
  not?: LifecycleStageFilter;
}

@ArgsType()
export class LifecycleStagesArgs extends PageArgs {
  @Field(() => LifecycleStageFilter, { nullable: true, description: 'Only stages matching these conditions.' })
  filter?: LifecycleStageFilter | null;

  @Field(() => LifecycleStageOrderBy, { nullable: true, description: 'Sort order (default: funnel position).' })
  orderBy?: { field: LifecycleStageSortField; direction: SortDirection } | null;
}

const TransitionSourceFilter = EnumFilter(TransitionSource, 'TransitionSource');

@InputType({ description: 'Conditions on lifecycle transitions.' })
export class LifecycleTransitionFilter {
  @Field(() => TransitionSourceFilter, { nullable: true, description: 'What made the move.' })
  source?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the move happened.' })
  at?: object;
  @Field(() => StringFilter, { nullable: true, description: 'Key of the stage moved to.' })
  toStage?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Key of the stage moved from.' })
  fromStage?: StringFilter;
  @Field(() => [LifecycleTransitionFilter], { nullable: true, description: 'All of these conditions.' })
  and?: LifecycleTransitionFilter[];
  @Field(() => [LifecycleTransitionFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: LifecycleTransitionFilter[];
  @Field(() => LifecycleTransitionFilter, { nullable: true, description: 'Not this condition.' })
  not?: LifecycleTransitionFilter;
}

@ArgsType()
export class LifecycleHistoryArgs extends PageArgs {
  @Field(() => LifecycleTransitionFilter, { nullable: true, description: 'Only transitions matching these conditions.' })
  filter?: LifecycleTransitionFilter | null;
  @Field(() => SortDirection, { defaultValue: SortDirection.DESC, description: 'By time: newest first (DESC) or oldest first (ASC).' })
  direction: SortDirection;
}

@InputType({ description: 'Move a customer to another lifecycle stage.' })
export class MoveCustomerToStageInput {
  @Field(() => ID, { description: 'The customer.' })
  customerId: string;
  @Field({ description: 'Key of the target stage, e.g. LOYAL.' })
  stage: string;
  @Field(() => String, { nullable: true, description: 'Why: kept in the lifecycle history.' })
  reason?: string | null;
}

@ObjectType({ description: 'Result of moveCustomerToStage.' })
export class MoveCustomerToStagePayload {
  @Field(() => Customer, { nullable: true, description: 'The customer in the new stage.' })
  customer: Customer | null;
  @Field(() => LifecycleTransition, { nullable: true, description: 'The transition recorded.' })
  transition: LifecycleTransition | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'The contact cadence of a lifecycle stage.' })
export class SetContactCadenceInput {
  @Field({ description: 'The stage’s key, e.g. ONBOARDING.' })
  stage: string;
  @Field(() => Int, { nullable: true, description: 'Days a customer in the stage may go without a touchpoint (1 to 3650); null for no cadence.' })
  everyDays?: number | null;
}

@ObjectType({ description: 'Result of setContactCadence.' })
export class LifecycleStagePayload {
  @Field(() => LifecycleStage, { nullable: true, description: 'The stage as stored after the change; null when nothing was written.' })
  stage: LifecycleStage | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}
