import { CountryCodeResolver, DateResolver, DateTimeResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import { DecimalScalar } from './scalars';
import type { GraphQLScalarType } from 'graphql';

/*
 * Per-field operator inputs shared by every list's `filter`. Operators on one field are
 * ANDed; combine fields and conditions with `and`, `or` and `not` on the list's filter.
 */

function comparable<T>(scalar: GraphQLScalarType, name: string, what: string): ClassType {
  @InputType(name, { description: `Conditions on a ${what} field.` })
  class Comparable {
    @Field(() => scalar, { nullable: true, description: 'Equal to.' })
    eq?: T;
    @Field(() => scalar, { nullable: true, description: 'Not equal to (rows where the field is null do not match).' })
    neq?: T;
    @Field(() => [scalar], { nullable: true, description: 'Equal to any of these.' })
    in?: T[];
    @Field(() => scalar, { nullable: true, description: 'Greater than.' })
    gt?: T;
    @Field(() => scalar, { nullable: true, description: 'Greater than or equal to.' })
    gte?: T;
    @Field(() => scalar, { nullable: true, description: 'Less than.' })
    lt?: T;
    @Field(() => scalar, { nullable: true, description: 'Less than or equal to.' })
    lte?: T;
    @Field({ nullable: true, description: 'true: the field is null; false: it has a value.' })
    isNull?: boolean;
  }
  return Comparable;
}

@InputType({ description: 'Conditions on a text field.' })
export class StringFilter {
  @Field({ nullable: true, description: 'Equal to (case-sensitive).' })
  eq?: string;
  @Field({ nullable: true, description: 'Not equal to.' })
  neq?: string;
  @Field(() => [String], { nullable: true, description: 'Equal to any of these.' })
  in?: string[];
  @Field({ nullable: true, description: 'Sorts after.' })
  gt?: string;
  @Field({ nullable: true, description: 'Sorts after or equal.' })
  gte?: string;
  @Field({ nullable: true, description: 'Sorts before.' })
  lt?: string;
  @Field({ nullable: true, description: 'Sorts before or equal.' })
  lte?: string;
  @Field({ nullable: true, description: 'Contains this text, ignoring case.' })
  contains?: string;
  @Field({ nullable: true, description: 'true: the field is null; false: it has a value.' })
  isNull?: boolean;
}

export const IntFilter = comparable<number>(Int, 'IntFilter', 'whole-number');
export const FloatFilter = comparable<number>(Float, 'FloatFilter', 'number');
export const DecimalFilter = comparable<string>(DecimalScalar, 'DecimalFilter', 'decimal (money)');
export const DateTimeFilter = comparable<Date>(DateTimeResolver, 'DateTimeFilter', 'timestamp');
export const DateFilter = comparable<string>(DateResolver, 'DateFilter', 'calendar date');

@InputType({ description: 'Conditions on a yes/no field.' })
export class BooleanFilter {
  @Field({ nullable: true, description: 'Equal to.' })
  eq?: boolean;
  @Field({ nullable: true, description: 'true: the field is null; false: it has a value.' })
  isNull?: boolean;
}

@InputType({ description: 'Conditions on a reference to another object, by global ID.' })
export class IDFilter {
  @Field(() => ID, { nullable: true, description: 'Equal to.' })
  eq?: string;
  @Field(() => ID, { nullable: true, description: 'Not equal to.' })
  neq?: string;
  @Field(() => [ID], { nullable: true, description: 'Any of these.' })
  in?: string[];
  @Field({ nullable: true, description: 'true: no reference; false: any reference.' })
  isNull?: boolean;
}

@InputType({ description: 'Conditions on a list of tags.' })
export class StringListFilter {
  @Field({ nullable: true, description: 'Has this element.' })
  has?: string;
  @Field(() => [String], { nullable: true, description: 'Has at least one of these.' })
  hasAny?: string[];
  @Field(() => [String], { nullable: true, description: 'Has all of these.' })
  hasAll?: string[];
  @Field({ nullable: true, description: 'true: the list is empty.' })
  isEmpty?: boolean;
}

@InputType({ description: 'Conditions on a country code.' })
export class CountryFilter {
  @Field(() => CountryCodeResolver, { nullable: true, description: 'Equal to.' })
  eq?: string;
  @Field(() => [CountryCodeResolver], { nullable: true, description: 'Any of these.' })
  in?: string[];
  @Field({ nullable: true, description: 'true: no country; false: any country.' })
  isNull?: boolean;
}

/** `<Name>Filter` for an enum: eq, neq, in, isNull. */
export function EnumFilter<TEnum extends object>(enumType: TEnum, name: string): ClassType {
  @InputType(`${name}Filter`, { description: `Conditions on a ${name} field.` })
  class Filter {
    @Field(() => enumType, { nullable: true, description: 'Equal to.' })
    eq?: string;
    @Field(() => enumType, { nullable: true, description: 'Not equal to.' })
    neq?: string;
    @Field(() => [enumType], { nullable: true, description: 'Any of these.' })
    in?: string[];
    @Field({ nullable: true, description: 'true: the field is null; false: it has a value.' })
    isNull?: boolean;
  }
  return Filter;
}
