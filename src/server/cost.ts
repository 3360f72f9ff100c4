import { GraphQLError, GraphQLSchema, getNamedType, getNullableType, isCompositeType, isListType, Kind } from 'graphql';
import type { OperationDefinitionNode, TypeNode } from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { HeaderMap } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { DEFAULT_PAGE_SIZE } from '../common/connection.types';
import { MAX_IN, usesDerived } from '../common/list-query';
import type { ListSpec } from '../common/list-query';
import type { Actor } from '../core/actor';
import type { Config } from '../core/config';
import { customerList } from '../customer/customer.loaders';
import type { CostThrottle, ThrottleStatus } from './throttle';

/**
 * Query cost, reported in `extensions.cost` on every response (as Shopify does) so clients can pace themselves,
 * capped so one request cannot ask for millions of rows, and paid for from the caller's bucket (throttle.ts).
 *
 * The model: an object costs 1 and scalars are free; a connection multiplies its selection by the page size it asks
 * for; any other list multiplies by what it asks for (`first`, or the number of `ids`). A field whose type is an
 * interface or a union costs what its most expensive possible type would. Fields that work on the whole customer
 * base cost what they do (FIELD_COSTS), and so do derived-score filters and sorts (DERIVED_LISTS).
 *
 * Input caps run in the same walk over the arguments with variables resolved, before anything executes:
 * `search` and the text in filters at most MAX_SEARCH_LENGTH characters, filters at most MAX_FILTER_NODES groups
 * and conditions nested at most MAX_FILTER_DEPTH deep. Filters passed as variables are checked once more before,
 * on the raw JSON, since coercing a huge one costs more than refusing it.
 */

/** What a mutation costs besides what its payload selects, as on Shopify. */
const MUTATION_COST = 10;

/**
 * Fields that cost more than the objects they return, in the same unit (objects fetched): roughly how many rows
 * they read or write, at the scale of 10,000 to 100,000 customers. Schema coordinate → cost (or a function of the
 * field's arguments). Mutations not listed cost MUTATION_COST.
 */
const FIELD_COSTS: Record<string, number | ((args: Record<string, any>) => number)> = {
  // Population analytics (src/insight/insight.resolver.ts): each reads a row per customer (scores) or their purchases.
  'Query.segmentSummary': 1_000,
  'Query.valueMatrix': 1_000,
  'Query.revenueConcentration': 1_000,
  'Query.cohortRetention': 1_000,
  'Query.clvDistribution': 1_000,
  'Query.crossSellRules': 1_000,
  'Query.churnWatchlist': 1_000,
  'Query.careAgenda': 500,
  // One statement over the caller's book and tasks per page (the care routines' SQL, restricted to their customers).
  'Query.myAgenda': 100,
  // Looks the suggestion up with the agenda's SQL before it writes.
  'Mutation.acceptSuggestion': 100,
  'Query.lifecycleFunnel': 200,
  // A connection like any other, plus the index range it reads in each of its nine sources (a UNION ALL per page).
  'Customer.timeline': 9,
  // Reads every opportunity of one pipeline and its stage history (four GROUP BYs).
  'Query.pipelineSummary': 200,
  // Two aggregates over the period's complaints.
  'Query.complaintStats': 200,
  // Groups every live customer and their purchases (members against non-members).
  'Query.loyaltyStats': 1_000,
  // Sums one member's ledger (a statement per account).
  'LoyaltyAccount.pointsExpiringSoon': 2,
  // One aggregate over the two periods' survey responses and invitations.
  'Query.satisfactionSummary': 200,
  // The invitations CTE reads every triggering event since the survey went live (a page, and a COUNT when asked).
  'Query.surveyInvitations': 100,
  // The same CTE, and an insert of a task per invited customer.
  'Mutation.scheduleSurveyTasks': 200,
  // Fits BG/NBD twice over the population (calibration and holdout).
  'Query.modelDiagnostics': 5_000,
  'Mutation.fitCustomerModel': 10_000,
  // Scores every customer and writes every move.
  'Mutation.applySuggestedLifecycleStages': 10_000,
  // Campaigns: the launch writes a row per customer the audience selects; the figures and the CSV read every member.
  'Mutation.launchCampaign': 1_000,
  'Mutation.markCampaignSent': 100,
  'Mutation.handResponderToSales': 100,
  'Query.campaignStats': 200,
  'Query.campaignMembersCsv': 1_000,
  'Mutation.recordOrders': (args) => MUTATION_COST * Math.max(1, (args.input?.orders as unknown[] | undefined)?.length ?? 1),
};

/** Lists that score the whole population when filtered or sorted on a model score (see CustomerService.list). */
const DERIVED_LISTS: Record<string, ListSpec<any>> = { 'Query.customers': customerList };
const DERIVED_SCORES_COST = 1_000;

/** Raw variables nested deeper than this are refused before graphql-js coerces them (it recurses once per level). */
const MAX_VARIABLE_NESTING = 64;

export interface CostLimits {
  maxQueryCost: number;
  maxSearchLength: number;
  maxFilterNodes: number;
  maxFilterDepth: number;
}

export function costLimits(config: Config): CostLimits {
  const { maxQueryCost, maxSearchLength, maxFilterNodes, maxFilterDepth } = config;
  return { maxQueryCost, maxSearchLength, maxFilterNodes, maxFilterDepth };
}

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument, http: { status: 400 } } });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first problem with a filter's size or text, or null. It walks raw variables (before graphql-js coerces them,
 * which for a filter of thousands of branches takes far longer than this walk) as well as coerced arguments, and
 * stops as soon as a limit is passed. A value that is not a filter is left for coercion to report.
 */
function filterProblem(where: string, filter: unknown, limits: CostLimits): GraphQLError | null {
  let nodes = 0;
  const tooLong = (at: string, text: string) => badInput(`${at} of ${where} is ${text.length} characters long; at most ${limits.maxSearchLength} are allowed.`, 'filter');
  const tooMany = () => badInput(`filter of ${where} has more than ${limits.maxFilterNodes} conditions and groups; split the query or use \`in\`.`, 'filter');
  const condition = (at: string, operators: Record<string, unknown>): GraphQLError | null => {
    for (const [op, operand] of Object.entries(operators)) {
      if (typeof operand === 'string' && operand.length > limits.maxSearchLength) return tooLong(`${at}.${op}`, operand);
      // A condition with conditions inside (a custom field's `text`, `number`, `date`) is checked the same way.
      if (isObject(operand)) {
        const inner = condition(`${at}.${op}`, operand);
        if (inner) return inner;
        continue;
      }
      if (!Array.isArray(operand)) continue;
      if (operand.length > MAX_IN) return badInput(`${at}.${op} of ${where} has ${operand.length} values; at most ${MAX_IN} are allowed.`, 'filter');
      const long = operand.find((v): v is string => typeof v === 'string' && v.length > limits.maxSearchLength);
      if (long !== undefined) return tooLong(`${at}.${op}`, long);
    }
    return null;
  };
  const group = (value: unknown, depth: number, path: string): GraphQLError | null => {
    if (!isObject(value)) return null;
    if (depth > limits.maxFilterDepth) {
      return badInput(`filter of ${where} nests and/or/not ${depth} deep at ${path}; at most ${limits.maxFilterDepth} levels are allowed.`, 'filter');
    }
    if (++nodes > limits.maxFilterNodes) return tooMany();
    for (const [key, raw] of Object.entries(value)) {
      let problem: GraphQLError | null = null;
      if (key === 'and' || key === 'or') {
        // A single object stands for a list of one, as GraphQL coerces it.
        const items = Array.isArray(raw) ? raw : [raw];
        for (let i = 0; i < items.length && !problem; i++) problem = group(items[i], depth + 1, `${path}.${key}.${i}`);
      } else if (key === 'not') {
        problem = group(raw, depth + 1, `${path}.not`);
      } else if (isObject(raw)) {
        problem = ++nodes > limits.maxFilterNodes ? tooMany() : condition(`${path}.${key}`, raw);
      }
      if (problem) return problem;
    }
    return null;
  };
  return group(filter, 1, 'filter');
}

/** Filters passed as variables, checked raw: a list of filters counts as the `or` it will end up in. */
function filterVariablesProblem(operation: OperationDefinitionNode | undefined, variables: Record<string, unknown>, limits: CostLimits): GraphQLError | null {
  for (const definition of operation?.variableDefinitions ?? []) {
    let type: TypeNode = definition.type;
    while (type.kind !== Kind.NAMED_TYPE) type = type.type;
    if (!type.name.value.endsWith('Filter')) continue;
    const name = definition.variable.name.value;
    const value = variables[name];
    const problem = filterProblem(`$${name}`, Array.isArray(value) ? { or: value } : value, limits);
    if (problem) return problem;
  }
  return null;
}

function argumentProblem(where: string, args: Record<string, any>, limits: CostLimits): GraphQLError | null {
  if (typeof args.search === 'string' && args.search.length > limits.maxSearchLength) {
    return badInput(`search of ${where} is ${args.search.length} characters long; at most ${limits.maxSearchLength} are allowed.`, 'search');
  }
  return args.filter ? filterProblem(where, args.filter, limits) : null;
}

/** How many items a list field asks for: the number of `ids`, else `first`, else 1 (small fixed lists). */
function listSize(args: Record<string, any>): number {
  if (Array.isArray(args.ids)) return args.ids.length;
  if (typeof args.first === 'number') return Math.max(args.first, 0);
  return 1;
}

/** The estimator for one request; argument problems go to `problems` (the walk itself must not throw). */
function estimator(schema: GraphQLSchema, limits: CostLimits, problems: GraphQLError[]): ComplexityEstimator {
  const mutationType = schema.getMutationType()?.name;
  return ({ type: parent, field, args, childComplexity }) => {
    const coordinate = `${parent.name}.${field.name}`;
    const problem = argumentProblem(field.name, args, limits);
    if (problem) problems.push(problem);

    const listed = FIELD_COSTS[coordinate];
    let weight = typeof listed === 'function' ? listed(args) : listed ?? (parent.name === mutationType ? MUTATION_COST : 0);
    const derivedSpec = DERIVED_LISTS[coordinate];
    if (derivedSpec && usesDerived(derivedSpec, { filter: args.filter, orderBy: args.orderBy })) weight += DERIVED_SCORES_COST;

    const named = getNamedType(field.type);
    if (!isCompositeType(named)) return weight;
    if (named.name.endsWith('Connection')) {
      const pageSize = (args.first as number | undefined) ?? (args.last as number | undefined) ?? DEFAULT_PAGE_SIZE;
      return weight + 1 + Math.max(pageSize, 1) * childComplexity;
    }
    const items = isListType(getNullableType(field.type)) ? listSize(args) : 1;
    return weight + items * (1 + childComplexity);
  };
}

/** Depth of a JSON value, walked without recursion so that a hostile body cannot exhaust the stack here. */
function nestingDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function tooComplex(message: string, cost: CostReport): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', cost, http: { status: 400 } } });
}

/** `extensions.cost`: Shopify's fields, plus `maximumAvailable` at the top: the most one query may cost. */
export interface CostReport {
  requestedQueryCost: number;
  /** What was taken from the bucket: the requested cost once the query ran (not measured from the result), else 0. */
  actualQueryCost: number;
  maximumAvailable: number;
  throttleStatus: ThrottleStatus;
}

export function queryCost<TContext extends { actor: Actor }>(schema: GraphQLSchema, limits: CostLimits, throttle: CostThrottle): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const actor = contextValue.actor;
      // A query the bucket could never pay for is too complex, not throttled: waiting would not help.
      const maximumAvailable = Math.min(limits.maxQueryCost, throttle.limitsFor(actor).bucketSize);
      let requested = 0;
      let actual = 0;
      let status: ThrottleStatus | undefined;
      const report = (): CostReport => ({ requestedQueryCost: requested, actualQueryCost: actual, maximumAvailable, throttleStatus: status ?? throttle.status(actor) });
      return {
        async didResolveOperation({ request, document, operation }) {
          const variables = request.variables ?? {};
          if (nestingDepth(variables, MAX_VARIABLE_NESTING) > MAX_VARIABLE_NESTING) {
            throw badInput(`Variables nest more than ${MAX_VARIABLE_NESTING} levels deep.`, 'variables');
          }
          const early = filterVariablesProblem(operation, variables, limits);
          if (early) throw early;
          const problems: GraphQLError[] = [];
          try {
            requested = getComplexity({ schema, query: document, variables, operationName: request.operationName, estimators: [estimator(schema, limits, problems)] });
          } catch (e) {
            // Variables that do not fit their types: execution answers them with 400 BAD_USER_INPUT, running nothing.
            if (e instanceof GraphQLError && /^Variable "\$/.test(e.message)) return;
            // Otherwise graphql-query-complexity gave up: past 10,000 evaluated selections (fragments spread over and over).
            throw tooComplex(`This query has too many selections to cost: ${(e as Error).message} Ask for fewer fields or fragments.`, report());
          }
          if (problems.length) throw problems[0];
          if (requested > maximumAvailable) {
            throw tooComplex(`This query costs ${requested}, more than the maximum of ${maximumAvailable}. Ask for smaller pages or fewer nested connections.`, report());
          }
          const decision = throttle.take(actor, requested);
          status = decision.status;
          if (!decision.allowed) {
            throw new GraphQLError(
              `Throttled: this query costs ${requested} and ${decision.status.currentlyAvailable} of ${decision.status.maximumAvailable} points are available, restoring ${decision.status.restoreRate} a second. Retry in ${decision.retryAfterSeconds} s.`,
              {
                extensions: {
                  code: 'THROTTLED',
                  cost: report(),
                  http: { status: 429, headers: new HeaderMap([['retry-after', String(decision.retryAfterSeconds)]]) },
                },
              },
            );
          }
          actual = requested;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: report() };
        },
      };
    },
  };
}
