import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../core/request-scope';
import { AuditEvent } from './audit-event.entity';
import { AuditEventConnection, AuditEventsArgs } from './audit.types';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: 'The audit log (ADMIN only): every change made through the API, newest first.' })
  auditEvents(@Args() args: AuditEventsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.audit.list({ page, filter: filter as Record<string, unknown>, orderBy });
  }
}
