import type { Connection } from '../common/connection.types';
import type { ListArgs } from '../common/list-query';
import type { ServiceDeps } from '../core/request-scope';
import type { User } from './user.entity';
import { userList } from './user.types';

export class UserService {
  constructor(private readonly deps: ServiceDeps) {}

  list(args: ListArgs): Promise<Connection<User>> {
    return this.deps.loaders.list(userList, args);
  }
}
