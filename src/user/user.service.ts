import type { Connection } from '../common/connection.types';
import type { ListArgs } from '../common/list-query';
import { instantArgument } from '../common/validate';
import type { ServiceDeps } from '../core/request-scope';
import type { User } from './user.entity';
import { RepBook, repBooks } from './rep-book';
import { userList } from './user.types';

export class UserService {
  constructor(private readonly deps: ServiceDeps) {}

  list(args: ListArgs): Promise<Connection<User>> {
    return this.deps.loaders.list(userList, args);
  }

  /**
   * A user's book (User.book). It counts customers, deals and complaints across the whole base, so a sales rep sees
   * only their own: another rep's book does not exist for them (null), as another rep's customers do not.
   */
  async book(user: User, asOf: Date | null): Promise<RepBook | null> {
    this.deps.access.require('customers:read');
    this.deps.access.require('opportunities:read');
    const own = this.deps.access.bookOwnerId;
    if (own && own !== user.id) return null;
    return repBooks(this.deps.loaders, asOf ? instantArgument(asOf, 'asOf') : null).load(user.id);
  }
}
