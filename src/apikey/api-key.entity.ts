import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { AccessRole, Scope } from '../core/roles';

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(ApiKeyStatus, {
  name: 'ApiKeyStatus',
  description: 'Whether a key is accepted.',
  valuesConfig: {
    ACTIVE: { description: 'Accepted.' },
    EXPIRED: { description: 'Past its expiry; refused.' },
    REVOKED: { description: 'Revoked by an admin; refused.' },
  },
});

@ObjectType({ implements: Node, description: 'An API key: a credential for an integration or script. The secret is shown once, at creation; only its hash is stored.' })
@Entity('api_keys')
export class ApiKey extends BaseRecord {
  protected get nodeType() {
    return 'ApiKey';
  }

  @Field({ description: 'What the key is for, e.g. "Shop sync".' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => AccessRole, { description: 'The role the key acts with.' })
  @Column({ type: 'text' })
  role: AccessRole;

  @Field(() => [Scope], { description: 'For PARTNER keys: what the key may do. Empty for staff roles, whose role decides.' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: Scope[];

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'text', select: false })
  keyHash: string;

  @Field({ description: 'The first characters of the key (e.g. `rpk_AbC12x`), to recognise it in lists and logs.' })
  @Column({ type: 'text' })
  keyPrefix: string;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; null for never.' })
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; null while it is not.' })
  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was last used (to the minute); null if never.' })
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'The key’s own cost bucket size, in query cost points; null: its role’s default (see extensions.cost.throttleStatus).' })
  @Column({ type: 'int', nullable: true })
  throttleBucketSize: number | null;

  @Field(() => Float, { nullable: true, description: 'Cost points restored to the key’s bucket per second; null: its role’s default.' })
  @Column({ type: 'float8', nullable: true })
  throttleRestoreRate: number | null;

  @Field({ description: 'Who created the key (a user, the command line or the development server).' })
  @Column({ type: 'text' })
  createdBy: string;

  @Field(() => ApiKeyStatus, { description: 'Whether the key is accepted now.' })
  get status(): ApiKeyStatus {
    if (this.revokedAt) return ApiKeyStatus.REVOKED;
    if (this.expiresAt && this.expiresAt.getTime() <= Date.now()) return ApiKeyStatus.EXPIRED;
    return ApiKeyStatus.ACTIVE;
  }
}
