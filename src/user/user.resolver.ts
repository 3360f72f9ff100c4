import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { CustomerConnection, ReferralsArgs } from '../customer/customer.types';
import type { Context } from '../core/request-scope';
import { User } from './user.entity';
import { RepBook } from './rep-book';
import { BookArgs, UserConnection, UsersArgs } from './user.types';

@Resolver(() => User)
export class UserResolver {
  @Query(() => UserConnection, { description: 'Staff users: the people who own customers and log touchpoints.' })
  users(@Args() args: UsersArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.users.list({ page, filter: filter as Record<string, unknown>, orderBy });
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who the user reports to: complaints they let run late are escalated there.' })
  manager(@Root() user: User, @Ctx() ctx: Context) {
    return user.managerId ? ctx.loaders.byId(User).load(user.managerId) : null;
  }

  @FieldResolver(() => RepBook, {
    nullable: true,
    description:
      'Their book at a glance: customers, open opportunities and their value, open and overdue tasks, their customers’ open complaints. A sales rep sees only their own (null for anyone else’s); it needs customers:read and opportunities:read.',
  })
  book(@Root() user: User, @Args() args: BookArgs, @Ctx() ctx: Context) {
    return ctx.services.users.book(user, args.asOf ?? null);
  }

  @FieldResolver(() => CustomerConnection, { description: 'Customers this user owns: their book of business.' })
  customers(@Root() user: User, @Args() args: ReferralsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.customers.ofOwner(user.id, { page, filter: filter as Record<string, unknown>, orderBy });
  }
}
