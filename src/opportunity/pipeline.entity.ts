import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Reads } from '../core/selection';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';

@ObjectType({ implements: Node, description: 'A sales pipeline: the ordered stages an opportunity moves through until it is won or lost.' })
@Entity('pipelines')
export class Pipeline extends BaseRecord {
  protected get nodeType() {
    return 'Pipeline';
  }

  @Field({ description: 'Name, unique (ignoring case), e.g. "Sales" or "Key accounts".' })
  @Column({ type: 'text' })
  name: string;

  /** Null: the deployment's base currency (the default pipeline is made by a migration, which cannot know it). */
  @Column({ type: 'char', length: 3, nullable: true })
  currency: string | null;

  @Field({ description: 'The pipeline new opportunities go to when none is named. Exactly one pipeline is the default.' })
  @Column({ type: 'boolean', default: false })
  isDefault: boolean;

  @Field(() => Int, { description: 'Incremented on every change to the pipeline or its stages. Pass it back as `expectedVersion` to detect concurrent edits.' })
  @Column({ type: 'int', default: 1 })
  version: number;
}

@ObjectType({ implements: Node, description: 'One step of a pipeline, with the chance that an opportunity in it is won and how long it may sit untouched.' })
@Entity('pipeline_stages')
export class PipelineStage extends BaseRecord {
  protected get nodeType() {
    return 'PipelineStage';
  }

  @Column({ type: 'uuid' })
  pipelineId: string;

  @Field({ description: 'Name, unique within the pipeline (ignoring case), e.g. "Proposal".' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => Int, { description: 'Place in the pipeline, from 1 (the first stage).' })
  @Column({ type: 'int' })
  position: number;

  /** numeric(5,4) as Postgres returns it: an exact decimal string such as "0.2500". */
  @Column({ type: 'numeric', precision: 5, scale: 4 })
  probability: string;

  @Field(() => Float, { name: 'probability', description: 'Chance that an opportunity in this stage is won, from 0 to 1 (at most 4 decimals); weights `weightedAmount`.' })
  @Reads('probability')
  get winProbability(): number {
    return Number(this.probability);
  }

  @Field(() => Int, { nullable: true, description: 'Days an open opportunity may go untouched in this stage before it is flagged as rotting; null: it never rots here.' })
  @Column({ type: 'int', nullable: true })
  rottingDays: number | null;

  /** Bumped with every change of the stage; clients guard stage edits with the pipeline's version. */
  @Column({ type: 'int', default: 1 })
  version: number;
}
