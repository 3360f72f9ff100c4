import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/request-scope';
import { User } from '../user/user.entity';
import { ApiKey } from './api-key.entity';
import { ApiKeyConnection, ApiKeysArgs, CreateApiKeyInput, CreateApiKeyPayload, RevokeApiKeyInput, RevokeApiKeyPayload } from './api-key.types';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => ApiKeyConnection, { description: 'API keys, newest first (ADMIN only). Secrets are never shown again after creation.' })
  apiKeys(@Args() args: ApiKeysArgs, @Ctx() ctx: Context) {
    const { orderBy, ...page } = args;
    return ctx.services.apiKeys.list({ page, orderBy });
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff user the key acts as; null for a partner key without one.' })
  user(@Root() key: ApiKey, @Ctx() ctx: Context) {
    return key.userId ? ctx.loaders.byId(User).load(key.userId) : null;
  }

  @Mutation(() => CreateApiKeyPayload, { description: 'Create an API key (ADMIN only). The payload carries the key itself, this once.' })
  createApiKey(@Arg('input', { description: 'The new key.' }) input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.create(input);
  }

  @Mutation(() => RevokeApiKeyPayload, { description: 'Revoke an API key (ADMIN only): it is refused from the next request on.' })
  revokeApiKey(@Arg('input', { description: 'The key to revoke.' }) input: RevokeApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.revoke(input.id);
  }
}
