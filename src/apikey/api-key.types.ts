import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import type { ListSpec } from '../common/list-query';
import { AccessRole, Scope } from '../core/roles';
import { ApiKey } from './api-key.entity';

export const ApiKeyConnection = ConnectionType(ApiKey, 'ApiKey', 'API key');

export enum ApiKeySortField {
  CREATED_AT = 'CREATED_AT',
  NAME = 'NAME',
}
registerEnumType(ApiKeySortField, {
  name: 'ApiKeySortField',
  description: 'Fields API keys can be sorted by.',
  valuesConfig: { CREATED_AT: { description: 'When the key was created.' }, NAME: { description: 'Name.' } },
});
export const ApiKeyOrderBy = OrderByType(ApiKeySortField, 'ApiKey', ApiKeySortField.CREATED_AT, SortDirection.DESC);

export const apiKeyList: ListSpec<ApiKey, Record<never, never>, ApiKeySortField> = {
  entity: ApiKey,
  what: 'API key',
  filters: {},
  sorts: {
    [ApiKeySortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [ApiKeySortField.NAME]: { sql: '{a}.name', pgType: 'text' },
  },
  defaultSort: { field: ApiKeySortField.CREATED_AT, direction: SortDirection.DESC },
};

@ArgsType()
export class ApiKeysArgs extends PageArgs {
  @Field(() => ApiKeyOrderBy, { nullable: true, description: 'Sort order (default: newest first).' })
  orderBy?: { field: ApiKeySortField; direction: SortDirection } | null;
}

@InputType({ description: 'A key’s own cost bucket, instead of its role’s default.' })
export class ApiKeyThrottleInput {
  @Field(() => Int, { nullable: true, description: 'Cost points the bucket holds (1 to 100,000,000).' })
  bucketSize?: number | null;

  @Field(() => Float, { nullable: true, description: 'Cost points restored per second (more than 0, at most 10,000,000).' })
  restoreRate?: number | null;
}

@InputType({ description: 'A new API key.' })
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. "Shop sync" (1–200 characters).' })
  name: string;

  @Field(() => AccessRole, { description: 'The role the key acts with. SALES_REP keys need `userId`: they act as that rep.' })
  role: AccessRole;

  @Field(() => [Scope], { nullable: true, description: 'For PARTNER keys (required there, at least one): what the key may do.' })
  scopes?: Scope[] | null;

  @Field(() => ID, { nullable: true, description: 'The staff user the key acts as (its owner): touchpoints and lifecycle moves made with it name this user.' })
  userId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; omit for a key that does not expire.' })
  expiresAt?: Date | null;

  @Field(() => ApiKeyThrottleInput, { nullable: true, description: 'The key’s own limits, for an integration that needs more (or should get less) than its role’s default.' })
  throttle?: ApiKeyThrottleInput | null;
}

@ObjectType({ description: 'The result of createApiKey.' })
export class CreateApiKeyPayload {
  @Field(() => ApiKey, { nullable: true, description: 'The key’s record; null when there are userErrors.' })
  apiKey: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'The key itself, to send as `Authorization: Bearer <key>`. Shown this once: only its hash is stored.' })
  key: string | null;

  @Field(() => [UserError], { description: 'Problems with the input; nothing was written when there are any.' })
  userErrors: UserError[];
}

@InputType({ description: 'The API key to revoke.' })
export class RevokeApiKeyInput {
  @Field(() => ID, { description: 'The key’s global ID.' })
  id: string;
}

@ObjectType({ description: 'The result of revokeApiKey.' })
export class RevokeApiKeyPayload {
  @Field(() => ApiKey, { nullable: true, description: 'The revoked key; null when there are userErrors.' })
  apiKey: ApiKey | null;

  @Field(() => [UserError], { description: 'Problems with the input; nothing was written when there are any.' })
  userErrors: UserError[];
}
