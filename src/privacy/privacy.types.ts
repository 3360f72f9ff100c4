import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../common/errors';
import { Customer } from '../customer/customer.entity';

@InputType({ description: 'The customer whose personal data to erase.' })
export class EraseCustomerInput {
  @Field(() => ID, { description: 'The customer’s global ID.' })
  id: string;
}

@ObjectType({ description: 'The result of eraseCustomer.' })
export class EraseCustomerPayload {
  @Field(() => Customer, { nullable: true, description: 'The customer as it now stands: an anonymous record; null when there are userErrors.' })
  customer: Customer | null;

  @Field(() => [String], { description: 'What was removed, e.g. "customer.email", "contacts (2)", "touchpoint notes (14)".' })
  erased: string[];

  @Field(() => [UserError], { description: 'Problems with the input; nothing was written when there are any.' })
  userErrors: UserError[];
}

