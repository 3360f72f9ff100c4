import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { BooleanFilter, DateTimeFilter, DecimalFilter, IDFilter, StringFilter } from '../common/filter.types';
import { MAX_AMOUNT_LABEL } from '../common/money';
import { DecimalScalar } from '../common/scalars';
import { Product } from './product.entity';

export const ProductConnection = ConnectionType(Product, 'Product', 'product');

export enum ProductSortField {
  NAME = 'NAME',
  SKU = 'SKU',
  PRICE = 'PRICE',
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(ProductSortField, {
  name: 'ProductSortField',
  description: 'Fields products can be sorted by.',
  valuesConfig: {
    NAME: { description: 'Name, A to Z with ASC.' },
    SKU: { description: 'Stock keeping unit.' },
    PRICE: { description: 'List price per unit.' },
    CREATED_AT: { description: 'When the product was created.' },
  },
});
export const ProductOrderBy = OrderByType(ProductSortField, 'Product', ProductSortField.NAME, SortDirection.ASC);

@InputType({ description: 'Conditions on products. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class ProductFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The product’s own ID.' })
  id?: IDFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Stock keeping unit.' })
  sku?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Name.' })
  name?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Category.' })
  category?: StringFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Whether the product is currently sold.' })
  active?: BooleanFilter;
  @Field(() => DecimalFilter, { nullable: true, description: 'List price per unit, in the product’s currency.' })
  price?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the product was created.' })
  createdAt?: object;
  @Field(() => [ProductFilter], { nullable: true, description: 'All of these conditions.' })
  and?: ProductFilter[];
  @Field(() => [ProductFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: ProductFilter[];
  @Field(() => ProductFilter, { nullable: true, description: 'Not this condition.' })
  not?: ProductFilter;
}

@ArgsType()
export class ProductsArgs extends PageArgs {
  @Field(() => ProductFilter, { nullable: true, description: 'Only products matching these conditions.' })
  filter?: ProductFilter | null;

  @Field(() => ProductOrderBy, { nullable: true, description: 'Sort order (default: name A–Z).' })
  orderBy?: { field: ProductSortField; direction: SortDirection } | null;

  @Field({ defaultValue: false, description: 'Include soft-deleted products.' })
  includeDeleted: boolean;
}

@ArgsType()
export class ProductLookupArgs {
  @Field(() => ID, { nullable: true, description: 'The product’s global ID.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'The product’s SKU.' })
  sku?: string | null;
}

@InputType({ description: 'A new product, priced in the deployment’s base currency.' })
export class CreateProductInput {
  @Field({ description: 'Stock keeping unit; unique.' })
  sku: string;
  @Field({ description: 'Product name.' })
  name: string;
  @Field(() => String, { nullable: true, description: 'Category, e.g. "Espresso machines".' })
  category?: string | null;
  @Field(() => DecimalScalar, { description: `List price per unit in the base currency; from 0 to ${MAX_AMOUNT_LABEL}.` })
  unitPrice: string;
  @Field(() => DecimalScalar, { nullable: true, description: `Cost per unit in the base currency, for margin; from 0 to ${MAX_AMOUNT_LABEL} (default 0).` })
  unitCost?: string | null;
  @Field({ defaultValue: true, description: 'Whether the product is currently sold.' })
  active: boolean;
}

@InputType({ description: 'Changes to a product. Omitted fields stay as they are; null clears `category`.' })
export class UpdateProductInput {
  @Field(() => ID, { description: 'The product to change.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the product changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'Stock keeping unit; unique.' })
  sku?: string | null;
  @Field(() => String, { nullable: true, description: 'Product name.' })
  name?: string | null;
  @Field(() => String, { nullable: true, description: 'Category; null clears it.' })
  category?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: `List price per unit, in the product’s currency; from 0 to ${MAX_AMOUNT_LABEL}.` })
  unitPrice?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: `Cost per unit, in the product’s currency; from 0 to ${MAX_AMOUNT_LABEL}.` })
  unitCost?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Whether the product is currently sold.' })
  active?: boolean | null;
}

@InputType({ description: 'Identifies a product to delete or restore.' })
export class ProductIdInput {
  @Field(() => ID, { description: 'The product.' })
  id: string;
}

@ObjectType({ description: 'Result of a product mutation.' })
export class ProductPayload {
  @Field(() => Product, { nullable: true, description: 'The product as stored after the change; null when nothing was written.' })
  product: Product | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}
