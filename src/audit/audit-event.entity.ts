import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Reads } from '../core/selection';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { toGlobalId } from '../common/ids';
import { PiiChanges } from '../core/masking';

@ObjectType({ implements: Node, description: 'One change made through the API: who made it, with which credential, to what, and which fields changed from what to what.' })
@Entity('audit_events')
export class AuditEvent extends BaseRecord {
  protected get nodeType() {
    return 'AuditEvent';
  }

  @Field({ description: 'When the change was committed.' })
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field({ description: 'What was done, as `<object>.<verb>`: `customer.update`, `order.record`, `apiKey.revoke`, `customer.erase`…' })
  @Column({ type: 'text' })
  action: string;

  @Field({ description: 'The type of the object changed, e.g. Customer.' })
  @Column({ type: 'text' })
  objectType: string;

  @Column({ type: 'uuid', nullable: true })
  objectId: string | null;

  @Field(() => ID, { nullable: true, name: 'objectId', description: 'The global ID of the object changed (usable with `node(id:)` while it exists).' })
  @Reads('objectType', 'objectId')
  get objectGlobalId(): string | null {
    return this.objectId ? toGlobalId(this.objectType, this.objectId) : null;
  }

  @Field({ description: 'Who acted: a key’s name (`key Shop sync`), a token’s user, or `system`.' })
  @Column({ type: 'text' })
  actorLabel: string;

  @Field(() => String, { nullable: true, description: 'The role the actor acted with.' })
  @Column({ type: 'text', nullable: true })
  actorRole: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Field(() => String, { nullable: true, description: 'How the actor authenticated: `api_key` or `jwt`.' })
  @Column({ type: 'text', nullable: true })
  credentialKind: string | null;

  @Field(() => String, { nullable: true, description: 'The credential used: the API key’s id, or the token’s subject.' })
  @Column({ type: 'text', nullable: true })
  credentialId: string | null;

  @Field(() => String, { nullable: true, description: 'The request’s X-Request-Id, to find the request in the server’s log.' })
  @Column({ type: 'text', nullable: true })
  requestId: string | null;

  @Field(() => GraphQLJSONObject, { description: 'The fields that changed: `{ field: { before, after } }`. Personal data is masked for readers who see it masked.' })
  @PiiChanges()
  @Column({ type: 'jsonb' })
  changes: Record<string, { before: unknown; after: unknown }>;
}
