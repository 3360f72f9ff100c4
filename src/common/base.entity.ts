import { Field, ID, InterfaceType, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, DeleteDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Reads } from '../core/selection';
import { toGlobalId } from './ids';

/** Relay's Node: anything fetchable by `node(id:)`. */
@InterfaceType('Node', { description: 'An object with a globally unique, opaque ID, fetchable with `node(id:)`.' })
export abstract class Node {
  @Field(() => ID, { name: 'id', description: 'Globally unique, opaque ID. Use it with `node(id:)`; do not parse it.' })
  @Reads('id')
  globalId: string;
}

/** Columns every table has. Subclasses name their GraphQL type via `nodeType`. */
@ObjectType()
export abstract class BaseRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'When the record was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When the record was last changed.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  protected abstract get nodeType(): string;

  get globalId(): string {
    return toGlobalId(this.nodeType, this.id);
  }
}

/** Records that can be soft-deleted and restored, with a version for optimistic concurrency. */
@ObjectType()
export abstract class ArchivableRecord extends BaseRecord {
  @Field(() => Date, { nullable: true, description: 'When the record was deleted (soft delete); null while it is live. Deleted records can be restored.' })
  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @Field(() => Int, { description: 'Incremented on every change. Pass it back as `expectedVersion` on update to detect concurrent edits.' })
  @Column({ type: 'int', default: 1 })
  version: number;
}
