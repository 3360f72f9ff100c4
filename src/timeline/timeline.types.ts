import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/connection.types';
import { TimelineEventKind } from './timeline.vocabulary';

@ObjectType({ description: 'One thing that happened with a customer: an order, a touchpoint, a stage change, a deal, a task done, a complaint step or a new owner.' })
export class TimelineEvent {
  @Field({ description: 'When it happened. The timeline is ordered by it, newest first.' })
  at: Date;

  @Field(() => TimelineEventKind, { description: 'What happened.' })
  kind: TimelineEventKind;

  @Field({
    description:
      'What happened in a few words, e.g. "Order R-0010042 placed, 129.00 EUR". Callers who see personal data masked get no free text in it (no subjects, notes or reasons).',
  })
  title: string;

  actorId: string | null;
  orderId: string | null;
  touchpointId: string | null;
  opportunityId: string | null;
  taskId: string | null;
  complaintId: string | null;
}

export const TimelineEventConnection = ConnectionType(TimelineEvent, 'TimelineEvent', 'timeline event');

@InputType({ description: 'Which events a timeline shows.' })
export class TimelineFilter {
  @Field(() => [TimelineEventKind], { nullable: true, description: 'Only these kinds (default: every kind the caller may see).' })
  kinds?: TimelineEventKind[] | null;
}

@ArgsType()
export class CustomerTimelineArgs {
  @Field(() => Int, { nullable: true, description: `Return the first n events after \`after\` (at most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor: return events after this one (`pageInfo.endCursor` or an edge’s `cursor`).' })
  after?: string | null;

  @Field(() => TimelineFilter, { nullable: true, description: 'Which events to show.' })
  filter?: TimelineFilter | null;
}
