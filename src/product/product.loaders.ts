import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import { Product } from './product.entity';
import { ProductFilter, ProductSortField } from './product.types';

/** How product lists filter and sort. */
export const productList: ListSpec<Product, ProductFilter, ProductSortField> = {
  entity: Product,
  what: 'product',
  filters: {
    id: { sql: '{a}.id', kind: 'id', idType: 'Product' },
    sku: { sql: '{a}.sku', kind: 'text' },
    name: { sql: '{a}.name', kind: 'text' },
    category: { sql: '{a}.category', kind: 'text' },
    active: { sql: '{a}.active', kind: 'bool' },
    price: { sql: '{a}.unit_price', kind: 'decimal' },
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
  },
  sorts: {
    [ProductSortField.NAME]: { sql: '{a}.name', pgType: 'text' },
    [ProductSortField.SKU]: { sql: '{a}.sku', pgType: 'text' },
    [ProductSortField.PRICE]: { sql: '{a}.unit_price', pgType: 'numeric' },
    [ProductSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
  },
  defaultSort: { field: ProductSortField.NAME, direction: SortDirection.ASC },
};
