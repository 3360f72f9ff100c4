import { CoreSchema1732300000000 } from './1732300000000-core-schema';
import { CustomerModelFits1732400000000 } from './1732400000000-customer-model-fits';
import { CustomerModelFitRules1732500000000 } from './1732500000000-customer-model-fit-rules';
import { OrderNumbersBeyondSevenDigits1732600000000 } from './1732600000000-order-numbers-beyond-seven-digits';
import { FilterAndSortIndexes1732700000000 } from './1732700000000-filter-and-sort-indexes';
import { IdempotencyKeys1732800000000 } from './1732800000000-idempotency-keys';
import { IdempotencyClaims1732900000000 } from './1732900000000-idempotency-claims';
import { ApiKeysAndAudit1733000000000 } from './1733000000000-api-keys-and-audit';
import { ApiKeyLimits1733100000000 } from './1733100000000-api-key-limits';
import { CustomerScores1733200000000 } from './1733200000000-customer-scores';
import { RescoreRequestsHeldByWriter1733300000000 } from './1733300000000-rescore-requests-held-by-writer';
import { ScoresForEveryCustomer1733400000000 } from './1733400000000-scores-for-every-customer';
import { ModelFitRequests1733500000000 } from './1733500000000-model-fit-requests';
import { ScoresCarrySoftDelete1733550000000 } from './1733550000000-scores-carry-soft-delete';
import { ScoresCarryPurchaseSummary1733600000000 } from './1733600000000-scores-carry-purchase-summary';
import { FirstScoresAfterBulkLoads1733700000000 } from './1733700000000-first-scores-after-bulk-loads';
import { LeanOrderIndexes1733800000000 } from './1733800000000-lean-order-indexes';
import { ChurnOverAHorizon1733900000000 } from './1733900000000-churn-over-a-horizon';
import { CustomerBaseModelChoice1734000000000 } from './1734000000000-customer-base-model-choice';
import { TotalClvSort1734050000000 } from './1734050000000-total-clv-sort';
import { SalesPipeline1734100000000 } from './1734100000000-sales-pipeline';
import { AssignmentRules1734150000000 } from './1734150000000-assignment-rules';
import { ComplaintHandling1734200000000 } from './1734200000000-complaint-handling';
import { TasksAndFollowUps1734300000000 } from './1734300000000-tasks-and-follow-ups';
import { TasksLinkDealsAndComplaints1734350000000 } from './1734350000000-tasks-link-deals-and-complaints';
import { TimelineIndexes1734400000000 } from './1734400000000-timeline-indexes';

/** Every migration, in order. Listed explicitly so ts-jest, ts-node and compiled builds load the same set. */
export const migrations = [CoreSchema1732300000000, CustomerModelFits1732400000000, CustomerModelFitRules1732500000000, OrderNumbersBeyondSevenDigits1732600000000, FilterAndSortIndexes1732700000000, IdempotencyKeys1732800000000, IdempotencyClaims1732900000000, ApiKeysAndAudit1733000000000, ApiKeyLimits1733100000000, CustomerScores1733200000000, RescoreRequestsHeldByWriter1733300000000, ScoresForEveryCustomer1733400000000, ModelFitRequests1733500000000, ScoresCarrySoftDelete1733550000000, ScoresCarryPurchaseSummary1733600000000, FirstScoresAfterBulkLoads1733700000000, LeanOrderIndexes1733800000000, ChurnOverAHorizon1733900000000, CustomerBaseModelChoice1734000000000, TotalClvSort1734050000000, SalesPipeline1734100000000, AssignmentRules1734150000000, ComplaintHandling1734200000000, TasksAndFollowUps1734300000000, TasksLinkDealsAndComplaints1734350000000, TimelineIndexes1734400000000];
