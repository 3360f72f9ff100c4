import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../core/request-scope';
import { Product } from './product.entity';
import { CreateProductInput, ProductConnection, ProductIdInput, ProductLookupArgs, ProductPayload, ProductsArgs, UpdateProductInput } from './product.types';

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true, description: 'A product by global ID or by SKU (pass exactly one). Null when not found or deleted.' })
  product(@Args() where: ProductLookupArgs, @Ctx() ctx: Context) {
    return ctx.services.products.findOne(where);
  }

  @Query(() => ProductConnection, { description: 'The product catalog, filtered and sorted, a page at a time.' })
  products(@Args() args: ProductsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, includeDeleted, ...page } = args;
    return ctx.services.products.list({ page, filter: filter as Record<string, unknown>, orderBy, includeDeleted });
  }

  @Mutation(() => ProductPayload, { description: 'Create a product, priced in the base currency.' })
  createProduct(@Arg('input', { description: 'The product to create.' }) input: CreateProductInput, @Ctx() ctx: Context) {
    return ctx.services.products.create(input);
  }

  @Mutation(() => ProductPayload, { description: 'Change a product. Omitted fields stay. Pass `expectedVersion` to guard against concurrent edits. Recorded orders keep the prices they were sold at.' })
  updateProduct(@Arg('input', { description: 'The product and the fields to change.' }) input: UpdateProductInput, @Ctx() ctx: Context) {
    return ctx.services.products.update(input);
  }

  @Mutation(() => ProductPayload, { description: 'Soft-delete a product: hidden from lists and lookups and no longer usable on new orders; lines already sold keep it. Restorable.' })
  deleteProduct(@Arg('input', { description: 'The product to delete.' }) input: ProductIdInput, @Ctx() ctx: Context) {
    return ctx.services.products.delete(input.id);
  }

  @Mutation(() => ProductPayload, { description: 'Restore a soft-deleted product.' })
  restoreProduct(@Arg('input', { description: 'The product to restore.' }) input: ProductIdInput, @Ctx() ctx: Context) {
    return ctx.services.products.restore(input.id);
  }
}
