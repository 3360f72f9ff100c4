import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Node } from '../common/base.entity';
import { badInput } from '../common/errors';
import { fromGlobalId } from '../common/ids';
import { entities } from '../db/entities';
import type { Context } from './context';

const MAX_NODES = 100;
const byType = new Map<string, (typeof entities)[number]>(entities.map((e) => [e.name, e]));

/** Relay's node(id) / nodes(ids): fetch any object by its global ID. */
@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null when it does not exist or was deleted.' })
  node(@Arg('id', () => ID, { description: 'A global ID.' }) id: string, @Ctx() ctx: Context) {
    return load(id, ctx);
  }

  @Query(() => [Node], { nullable: 'items', description: `Several objects by global ID, in the order given (null for each one not found). At most ${MAX_NODES}.` })
  nodes(@Arg('ids', () => [ID], { description: 'Global IDs.' }) ids: string[], @Ctx() ctx: Context) {
    if (ids.length > MAX_NODES) throw badInput(`nodes accepts at most ${MAX_NODES} IDs`);
    return Promise.all(ids.map((id) => load(id, ctx)));
  }
}

async function load(globalId: string, ctx: Context) {
  const decoded = fromGlobalId(globalId);
  const entity = decoded && byType.get(decoded.type);
  if (!decoded || !entity) throw badInput(`"${globalId}" is not a valid ID`, { field: 'id' });
  const record = (await ctx.loaders.byId(entity as never).load(decoded.id)) as { deletedAt?: Date | null; mergedIntoId?: string | null } | null;
  // A customer merged into another answers with the survivor: the ID a client kept still finds the customer.
  if (record?.mergedIntoId && decoded.type === 'Customer') return ctx.services.customers.survivorOf(record.mergedIntoId);
  return record && !record.deletedAt ? record : null;
}
