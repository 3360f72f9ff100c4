import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, ParseOptions, ValidationContext, ValidationRule } from 'graphql';
import type { Config } from '../core/config';

/**
 * Limits on the shape of an operation, checked while it is parsed and validated, so before it costs anything:
 * tokens (the parser's own maxTokens), depth, aliases and directives (graphql-armor's validation rules). Field
 * suggestions ("Did you mean …?") go with introspection: when the schema is not open, errors do not spell it out.
 */
export interface OperationLimits {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
}

/** armor words its refusals as "Syntax Error: …" although the syntax is fine; the limit and the count are what matter. */
const report = (context: ValidationContext | null, error: GraphQLError): void => {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { nodes: error.nodes }));
};

const SUGGESTION = / ?Did you mean .+\?$/;

/** Strips suggestions from every error, validation and variable coercion alike (they name fields of the schema). */
const hideSuggestions: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
      },
    };
  },
};

export function operationLimits(config: Config): OperationLimits {
  const rejection = { onReject: [report], propagateOnRejection: false };
  const { validationRules } = new ApolloArmor({
    maxDepth: { n: config.maxQueryDepth, ignoreIntrospection: true, ...rejection },
    maxAliases: { n: config.maxQueryAliases, ...rejection },
    maxDirectives: { n: config.maxQueryDirectives, ...rejection },
    // graphql-js counts tokens while parsing and stops at the limit, with a GRAPHQL_PARSE_FAILED answer; armor's
    // own token plugin throws from a plugin hook, which Apollo answers as an internal error.
    maxTokens: { enabled: false },
    // Cost is src/server/cost.ts's; armor's suggestion mask misses the suggestions in variable errors.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    parseOptions: { maxTokens: config.maxQueryTokens },
    validationRules,
    plugins: config.introspection ? [] : [hideSuggestions],
  };
}
