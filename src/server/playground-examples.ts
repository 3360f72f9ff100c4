/**
 * The operations GraphiQL opens with, one tab each. test/playground.test.ts validates and runs
 * every one against the schema, so a renamed field fails CI instead of greeting users with errors.
 */
export interface PlaygroundExample {
  query: string;
  /** Shown in the variables pane of the tab; a function for dates relative to the moment the page is served. */
  variables?: Record<string, unknown> | (() => Record<string, unknown>);
}

export function exampleVariables(example: PlaygroundExample): Record<string, unknown> | undefined {
  return typeof example.variables === 'function' ? example.variables() : example.variables;
}

const DAY_MS = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

const customer360 = /* GraphQL */ `# Customer 360: one customer on one screen — profile, owner, lifecycle stage and
# history, value and risk, what to do next, the people around them, recent orders
# with their lines, and the latest touchpoints.
#
# Look the customer up by the ID in your source system (the demo data uses C0000001…)
# or by global ID: set "id" instead of "externalRef" in the variables below.
# Run with Ctrl-Enter.
query Customer360($id: ID, $externalRef: String) {
  customer(id: $id, externalRef: $externalRef) {
    id
    name
    kind
    email
    phone
    externalRef
    region
    tags
    interests
    address {
      city
      country
    }
    personality
    personalityApproach
    owner {
      name
      email
      role
    }
    lifecycleStage {
      key
      name
      strategy
    }
    lifecycleHistory(first: 10) {
      nodes {
        at
        from {
          name
        }
        to {
          name
        }
        source
        reason
        actor
      }
    }
    segment
    valueTier
    orderStats {
      orders
      lastPurchaseAt
      revenue {
        amount
        currencyCode
      }
      margin {
        amount
        currencyCode
      }
    }
    churnRisk {
      level
      probability
      drivers {
        message
      }
    }
    nextBestActions(first: 3) {
      priority
      kind
      channel
      dueAt
      reason
    }
    openComplaints
    lastTouchpointAt
    contacts(first: 10) {
      nodes {
        name
        title
        relationship
        isPrimary
        email
        phone
        birthday
      }
    }
    orders(first: 5, orderBy: { field: PLACED_AT, direction: DESC }) {
      totalCount
      nodes {
        number
        placedAt
        status
        channel
        total {
          amount
          currencyCode
        }
        margin {
          amount
          currencyCode
        }
        lines(first: 20) {
          nodes {
            position
            description
            quantity
            unitPrice {
              amount
              currencyCode
            }
            total {
              amount
              currencyCode
            }
            product {
              sku
              name
              category
            }
          }
        }
      }
    }
    touchpoints(first: 10, orderBy: { field: OCCURRED_AT, direction: DESC }) {
      nodes {
        occurredAt
        channel
        direction
        purpose
        subject
        satisfaction
        nps
        complaintStatus
        user {
          name
        }
        contact {
          name
        }
      }
    }
  }
}
`;

const recentOrders = /* GraphQL */ `# The latest orders across all customers, newest first, with totals in the order's
# currency and in the base currency. Page on with "after": pageInfo.endCursor.
query RecentOrders($first: Int = 20, $after: String) {
  orders(first: $first, after: $after, orderBy: { field: PLACED_AT, direction: DESC }) {
    totalCount
    nodes {
      number
      placedAt
      status
      channel
      customer {
        id
        name
        externalRef
      }
      total {
        amount
        currencyCode
      }
      totalInBaseCurrency {
        amount
        currencyCode
      }
      margin {
        amount
        currencyCode
      }
      lines(first: 5) {
        nodes {
          description
          quantity
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

const openComplaints = /* GraphQL */ `# Open complaints, most urgent first: the ones to resolve before anything else with
# these customers. Each has due times from its severity's service levels; overdue ones go to the handler's manager.
query OpenComplaints($first: Int = 20, $after: String) {
  complaints(
    first: $first
    after: $after
    filter: { status: { in: [OPEN, ACKNOWLEDGED, IN_PROGRESS] } }
    orderBy: { field: RESOLUTION_DUE_AT, direction: ASC }
  ) {
    totalCount
    nodes {
      status
      severity
      category
      channel
      subject
      openedAt
      firstResponseDueAt
      resolutionDueAt
      isOverdue
      escalationLevel
      customer {
        id
        name
        openComplaints
      }
      assignee {
        name
        email
      }
      escalatedTo {
        name
      }
      transitions {
        toStatus
        at
        actor
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  complaintSlas {
    severity
    firstResponseHours
    resolutionHours
  }
}
`;

const segmentsAndClv = /* GraphQL */ `# Segments and CLV: how many customers each RFM segment holds, what they bought,
# and what the active model expects them to be worth over the next 12 months;
# then how predicted CLV spreads over buyers.
query SegmentsAndClv($buckets: Int = 10) {
  segmentSummary {
    asOf
    customers
    segments {
      segment
      customers
      share
      revenue {
        amount
        currencyCode
      }
      marginShare
      averageClv {
        amount
        currencyCode
      }
    }
  }
  clvDistribution(buckets: $buckets) {
    basis
    customers
    average {
      amount
      currencyCode
    }
    buckets {
      lower {
        amount
      }
      upper {
        amount
      }
      customers
      share
      clvShare
    }
  }
}
`;

const portfolioHealth = /* GraphQL */ `# Portfolio health: how concentrated value is (the top 20% of customers' share of
# margin), who is about to leave and what they are worth (churn probability × predicted
# value), and which categories sell together (for cross-selling).
query PortfolioHealth($watch: Int = 10) {
  revenueConcentration(basis: MARGIN) {
    customers
    gini
    total { amount currencyCode }
    top { topPercent customers share }
  }
  churnWatchlist(first: $watch) {
    customer { id name owner { name } lifecycleStage { key } }
    churnProbability
    daysSinceLastPurchase
    realisedValue { amount currencyCode }
    valueAtRisk { amount currencyCode }
  }
  crossSellRules(minSupport: 0.01, first: 10) {
    antecedent
    consequent
    support
    confidence
    lift
  }
}
`;

const careAgenda = /* GraphQL */ `# The care agenda for the next seven days: birthdays (customers and their contacts),
# thank-yous still owed after a purchase, open complaints and surveys due after service,
# each with the channel the customer consented to.
query CareAgenda($from: DateTime!, $to: DateTime!) {
  careAgenda(from: $from, to: $to, first: 50) {
    kind
    dueAt
    reason
    channel
    customer { id name owner { name } }
    contact { name relationship }
  }
}
`;

const lifecycleAndCohorts = /* GraphQL */ `# The relationship lifecycle over the last year: how many customers sit in each stage,
# how many entered and left it, the flows between stages; and monthly acquisition cohorts
# with the share still buying.
query LifecycleAndCohorts($from: DateTime!, $to: DateTime!) {
  lifecycleFunnel(from: $from, to: $to) {
    stages { stage position current entered left }
    flows { from to count }
  }
  cohortRetention(granularity: MONTH) {
    start
    customers
    active
    retention
  }
}
`;

const modelCheck = /* GraphQL */ `# How good are the predictions? A back-test: fit on purchases up to six months ago, predict
# the last six months and compare with what customers actually bought, per repeat-purchase
# bucket; then the active customer model (BG/NBD and Gamma-Gamma parameters).
query ModelCheck($calibrationEnd: DateTime!, $holdoutEnd: DateTime!) {
  modelDiagnostics(calibrationEnd: $calibrationEnd, holdoutEnd: $holdoutEnd) {
    customers
    predictedPurchases
    actualPurchases
    meanAbsoluteError
    byRepeatPurchases { repeatPurchases customers predictedMean actualMean }
    errorPercent
    candidates { model errorPercent meanAbsoluteError churnAuc lowestError }
    churn { churnAuc recencyAuc brierScore calibration { lower meanPredicted observedRate } bySegment { segment buyRate } }
  }
  customerModel {
    fittedAt
    asOf
    timeUnit
    basis
    customers
    choice
    baseModel
    baseModelParameters { name value }
    selection { holdoutDays chosen candidates { model meanAbsoluteError errorPercent } }
    bgnbd { r alpha a b logLikelihood }
    gammaGamma { p q gamma logLikelihood }
  }
}
`;

const salesRepsDay = /* GraphQL */ `# A sales rep's day: their book at a glance, their agenda (tasks and the playbook's suggestions, by due
# time, paged), their rotting deals and their customers' overdue complaints. With a sales rep's key every list is
# theirs alone; with the development key (an admin, no user of its own) you see every rep's book and deals, and
# myAgenda is empty: create a key for a rep (createApiKey(input: { role: SALES_REP, userId })) to see theirs.
query SalesRepsDay($from: DateTime!, $to: DateTime!) {
  users(first: 10, filter: { role: { eq: SALES_REP } }) {
    totalCount
    nodes {
      name
      book(asOf: $from) {
        customers
        openOpportunities
        pipelineValue { amount currencyCode }
        weightedPipelineValue { amount currencyCode }
        openTasks
        overdueTasks
        openComplaints
        overdueComplaints
      }
    }
  }
  myAgenda(from: $from, to: $to, first: 20) {
    nodes { dueAt source kind suggestion subject priority channel customer { name } task { id status } }
    pageInfo { hasNextPage endCursor }
  }
  opportunities(first: 10, filter: { status: { eq: OPEN }, rotting: { eq: true } }, orderBy: { field: LAST_ACTIVITY_AT, direction: ASC }) {
    totalCount
    nodes { name customer { name } owner { name } stage { name probability } amount { amount currencyCode } weightedAmount { amount } daysInStage nextStep }
  }
  complaints(first: 10, filter: { overdue: { eq: true } }, orderBy: { field: RESOLUTION_DUE_AT, direction: ASC }) {
    totalCount
    nodes { subject severity status resolutionDueAt escalationLevel customer { name } assignee { name } escalatedTo { name } }
  }
}
`;

const marketingAndLoyalty = /* GraphQL */ `# Keeping customers: the campaigns by return on investment (Rapport builds the send list and records what comes
# back; it sends nothing), whether the loyalty programme pays (members against non-members), and where satisfaction
# is falling (CSAT and NPS by segment, against the previous period of the same length).
query MarketingAndLoyalty($from: DateTime!, $to: DateTime!) {
  campaigns(first: 10, orderBy: { field: ROI, direction: DESC }) {
    totalCount
    nodes { name channel status launchedAt cost { amount currencyCode } }
  }
  loyaltyStats(retentionDays: 90) {
    members { customers buyers purchaseFrequency averageOrderValue { amount } retentionRate meanPredictedClv { amount } }
    nonMembers { customers buyers purchaseFrequency averageOrderValue { amount } retentionRate meanPredictedClv { amount } }
  }
  satisfactionSummary(from: $from, to: $to, groupBy: SEGMENT) {
    total { current { csatMean npsScore responses responseRate } direction }
    groups { key direction csatChange current { csatMean npsScore responses } }
  }
}
`;

export const PLAYGROUND_EXAMPLES: PlaygroundExample[] = [
  { query: customer360, variables: { externalRef: 'C0000001' } },
  { query: recentOrders },
  { query: openComplaints },
  { query: segmentsAndClv },
  { query: portfolioHealth },
  { query: careAgenda, variables: () => ({ from: daysFromNow(0), to: daysFromNow(7) }) },
  { query: salesRepsDay, variables: () => ({ from: daysFromNow(0), to: daysFromNow(7) }) },
  { query: marketingAndLoyalty, variables: () => ({ from: daysFromNow(-90), to: daysFromNow(0) }) },
  { query: lifecycleAndCohorts, variables: () => ({ from: daysFromNow(-365), to: daysFromNow(0) }) },
  { query: modelCheck, variables: () => ({ calibrationEnd: daysFromNow(-182), holdoutEnd: daysFromNow(0) }) },
];
