import { Field, ObjectType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { Money } from '../common/money.types';

@ObjectType({ implements: Node, description: 'Something you sell. Order lines may reference a product; its category drives cross-sell analysis.' })
@Entity('products')
export class Product extends ArchivableRecord {
  protected get nodeType() {
    return 'Product';
  }

  @Field({ description: 'Stock keeping unit; unique.' })
  @Column({ type: 'text' })
  sku: string;

  @Field({ description: 'Product name.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Category, e.g. "Espresso machines". Used for cross-sell rules.' })
  @Column({ type: 'text', nullable: true })
  category: string | null;

  /** numeric(19,4) in the base currency, as Postgres returns it (a string). */
  @Column({ type: 'numeric', precision: 19, scale: 4 })
  unitPrice: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  unitCost: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Field(() => Money, { description: 'List price per unit.' })
  get price(): Money {
    return Money.of(this.unitPrice, this.currency);
  }

  @Field(() => Money, { description: 'Cost per unit, for margin.' })
  get cost(): Money {
    return Money.of(this.unitCost, this.currency);
  }

  @Field({ description: 'Whether the product is currently sold.' })
  @Column({ type: 'boolean', default: true })
  active: boolean;
}
