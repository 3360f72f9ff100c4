import type { ServiceDeps } from '../../core/request-scope';
import type { TimeUnit } from '../../intelligence';
import type {
  CareAgendaItem,
  ChurnWatchlistEntry,
  ClvDistribution,
  Cohort,
  CohortGranularity,
  CrossSellRule,
  LifecycleFunnel,
  ModelDiagnostics,
  RevenueConcentration,
  SegmentSummary,
  ValueMatrix,
} from '../analytics.types';
import type { InsightService } from '../insight.service';
import type { ValueBasis } from '../model/customer-model-fit.entity';
import { BookScope } from './book';
import { CareReport } from './care';
import { CrossSellReport } from './cross-sell';
import { ModelCheckReport } from './model-check';
import { RetentionReports } from './retention';
import { SegmentReports } from './segments';
import { ValueReports } from './value';

/** Analyst queries over the whole customer base; scored exactly as the per-customer fields score each customer. */
export class InsightAnalytics {
  private readonly segments: SegmentReports;
  private readonly value: ValueReports;
  private readonly retention: RetentionReports;
  private readonly modelCheck: ModelCheckReport;
  private readonly crossSell: CrossSellReport;
  private readonly care: CareReport;

  constructor(deps: ServiceDeps, insight: InsightService) {
    const scope = new BookScope(deps);
    this.segments = new SegmentReports(deps, insight, scope);
    this.value = new ValueReports(deps, insight, scope);
    this.retention = new RetentionReports(deps, insight, scope);
    this.modelCheck = new ModelCheckReport(deps, insight, scope);
    this.crossSell = new CrossSellReport(deps, insight, scope);
    this.care = new CareReport(deps, insight, scope);
  }

  segmentSummary(asOf?: Date | null): Promise<SegmentSummary> {
    return this.segments.segmentSummary(asOf);
  }

  valueMatrix(): Promise<ValueMatrix> {
    return this.segments.valueMatrix();
  }

  revenueConcentration(basis: ValueBasis): Promise<RevenueConcentration> {
    return this.value.revenueConcentration(basis);
  }

  clvDistribution(buckets: number, basis: ValueBasis): Promise<ClvDistribution> {
    return this.value.clvDistribution(buckets, basis);
  }

  cohortRetention(granularity: CohortGranularity, from?: Date | null, to?: Date | null): Promise<Cohort[]> {
    return this.retention.cohortRetention(granularity, from, to);
  }

  lifecycleFunnel(from: Date, to: Date): Promise<LifecycleFunnel> {
    return this.retention.lifecycleFunnel(from, to);
  }

  churnWatchlist(first: number): Promise<ChurnWatchlistEntry[]> {
    return this.retention.churnWatchlist(first);
  }

  modelDiagnostics(calibrationEnd: Date, holdoutEnd: Date, unit: TimeUnit): Promise<ModelDiagnostics> {
    return this.modelCheck.modelDiagnostics(calibrationEnd, holdoutEnd, unit);
  }

  crossSellRules(minSupport: number, minConfidence: number, first: number): Promise<CrossSellRule[]> {
    return this.crossSell.crossSellRules(minSupport, minConfidence, first);
  }

  careAgenda(from: Date, to: Date, first: number): Promise<CareAgendaItem[]> {
    return this.care.careAgenda(from, to, first);
  }
}
