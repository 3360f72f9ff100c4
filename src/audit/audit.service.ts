import type { Connection } from '../common/connection.types';
import type { ListArgs } from '../common/list-query';
import type { ServiceDeps } from '../core/request-scope';
import type { AuditEvent } from './audit-event.entity';
import { auditEventList } from './audit.types';

/** Reading the audit log; writing it is core's recordAudit, inside each mutation's transaction. */
export class AuditService {
  constructor(private readonly deps: ServiceDeps) {}

  list(args: ListArgs): Promise<Connection<AuditEvent>> {
    return this.deps.loaders.list(auditEventList, args);
  }
}
