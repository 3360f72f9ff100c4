// The words of complaint handling, declared once: the GraphQL enums are registered from these objects, the migration's
// CHECK constraints and the seed use the same lists, so a value cannot exist in one place and not in another.

import { registerEnumType } from 'type-graphql';

export const ComplaintStatus = {
  OPEN: 'OPEN',
  ACKNOWLEDGED: 'ACKNOWLEDGED',
  IN_PROGRESS: 'IN_PROGRESS',
  RESOLVED: 'RESOLVED',
  CLOSED: 'CLOSED',
} as const;
export type ComplaintStatus = (typeof ComplaintStatus)[keyof typeof ComplaintStatus];
registerEnumType(ComplaintStatus, {
  name: 'ComplaintStatus',
  description: 'Where a complaint stands: OPEN → ACKNOWLEDGED → IN_PROGRESS → RESOLVED → CLOSED (see `Complaint.transitions`).',
  valuesConfig: {
    OPEN: { description: 'Received, not answered yet: answer it before anything else with this customer.' },
    ACKNOWLEDGED: { description: 'The customer has had a first response (`firstResponseAt`).' },
    IN_PROGRESS: { description: 'Someone is working on a fix.' },
    RESOLVED: { description: 'Fixed (`resolvedAt`, `resolution`), waiting for the customer’s feedback or for closing.' },
    CLOSED: { description: 'Done: the customer was told and nothing more is owed. Final.' },
  },
});

/** Complaints not resolved yet: the ones that count as open, can be overdue and are escalated. */
export const UNRESOLVED_STATUSES: readonly ComplaintStatus[] = ['OPEN', 'ACKNOWLEDGED', 'IN_PROGRESS'];

/**
 * The transitions a complaint may make. The usual path is the chain; a complaint settled on the first call may go from
 * OPEN or ACKNOWLEDGED straight to RESOLVED (the resolution is then also its first response), and a RESOLVED one the
 * customer says is not fixed goes back to IN_PROGRESS (reopenComplaint). CLOSED is final.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<ComplaintStatus, readonly ComplaintStatus[]>> = {
  OPEN: ['ACKNOWLEDGED', 'IN_PROGRESS', 'RESOLVED'],
  ACKNOWLEDGED: ['IN_PROGRESS', 'RESOLVED'],
  IN_PROGRESS: ['RESOLVED'],
  RESOLVED: ['CLOSED', 'IN_PROGRESS'],
  CLOSED: [],
};

export const ComplaintSeverity = {
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
  CRITICAL: 'CRITICAL',
} as const;
export type ComplaintSeverity = (typeof ComplaintSeverity)[keyof typeof ComplaintSeverity];
registerEnumType(ComplaintSeverity, {
  name: 'ComplaintSeverity',
  description: 'How bad it is for the customer; decides the service levels (`complaintSlas`).',
  valuesConfig: {
    LOW: { description: 'An annoyance; the customer is not harmed.' },
    MEDIUM: { description: 'Something went wrong and needs fixing.' },
    HIGH: { description: 'The customer is harmed or angry, or a valuable relationship is at stake.' },
    CRITICAL: { description: 'Safety, legal or public exposure, or a key account threatening to leave.' },
  },
});

export const ComplaintCategory = {
  PRODUCT_QUALITY: 'PRODUCT_QUALITY',
  DELIVERY: 'DELIVERY',
  BILLING: 'BILLING',
  SERVICE: 'SERVICE',
  STAFF: 'STAFF',
  OTHER: 'OTHER',
} as const;
export type ComplaintCategory = (typeof ComplaintCategory)[keyof typeof ComplaintCategory];
registerEnumType(ComplaintCategory, {
  name: 'ComplaintCategory',
  description: 'What the complaint is about, for reporting (`complaintStats`).',
  valuesConfig: {
    PRODUCT_QUALITY: { description: 'A defective, damaged or disappointing product.' },
    DELIVERY: { description: 'Late, lost or wrong delivery.' },
    BILLING: { description: 'Wrong charges, refunds, invoices.' },
    SERVICE: { description: 'After-sales service, repairs, support.' },
    STAFF: { description: 'How our people behaved.' },
    OTHER: { description: 'Anything else (also complaints logged as touchpoints before complaints had categories).' },
  },
});

export const CompensationKind = {
  REFUND: 'REFUND',
  DISCOUNT: 'DISCOUNT',
  VOUCHER: 'VOUCHER',
  GIFT: 'GIFT',
  REPLACEMENT: 'REPLACEMENT',
  REPAIR: 'REPAIR',
} as const;
export type CompensationKind = (typeof CompensationKind)[keyof typeof CompensationKind];
registerEnumType(CompensationKind, {
  name: 'CompensationKind',
  description: 'What the customer was given to make up for the problem ("more compensation", one of the five mores).',
  valuesConfig: {
    REFUND: { description: 'Money back.' },
    DISCOUNT: { description: 'A price reduction on this or a next order.' },
    VOUCHER: { description: 'A voucher or store credit.' },
    GIFT: { description: 'A gift; the amount is its value to us.' },
    REPLACEMENT: { description: 'A replacement product; the amount is its value.' },
    REPAIR: { description: 'A free repair; the amount is its cost.' },
  },
});

export const EscalationReason = {
  FIRST_RESPONSE_OVERDUE: 'FIRST_RESPONSE_OVERDUE',
  RESOLUTION_OVERDUE: 'RESOLUTION_OVERDUE',
  MANUAL: 'MANUAL',
} as const;
export type EscalationReason = (typeof EscalationReason)[keyof typeof EscalationReason];
registerEnumType(EscalationReason, {
  name: 'ComplaintEscalationReason',
  description: 'Why a complaint went to a more senior handler.',
  valuesConfig: {
    FIRST_RESPONSE_OVERDUE: { description: 'No first response by `firstResponseDueAt` (escalated by the worker).' },
    RESOLUTION_OVERDUE: { description: 'Not resolved by `resolutionDueAt` (escalated by the worker).' },
    MANUAL: { description: 'Someone escalated it with escalateComplaint.' },
  },
});

export const ComplaintStatsGrouping = {
  CATEGORY: 'CATEGORY',
  SEVERITY: 'SEVERITY',
  CHANNEL: 'CHANNEL',
  ASSIGNEE: 'ASSIGNEE',
} as const;
export type ComplaintStatsGrouping = (typeof ComplaintStatsGrouping)[keyof typeof ComplaintStatsGrouping];
registerEnumType(ComplaintStatsGrouping, {
  name: 'ComplaintStatsGrouping',
  description: 'How complaintStats splits the complaints.',
  valuesConfig: {
    CATEGORY: { description: 'By category.' },
    SEVERITY: { description: 'By severity.' },
    CHANNEL: { description: 'By the channel the complaint came in on.' },
    ASSIGNEE: { description: 'By the staff member it is assigned to (unassigned ones in a group of their own).' },
  },
});

/**
 * The service levels a new database starts with (migrations/1734200000000-complaint-handling.ts inserts the same):
 * hours to the first response and to the resolution, per severity. ADMIN and MANAGER change them with setComplaintSla.
 */
export const DEFAULT_COMPLAINT_SLAS: Readonly<Record<ComplaintSeverity, { firstResponseHours: number; resolutionHours: number }>> = {
  LOW: { firstResponseHours: 48, resolutionHours: 240 },
  MEDIUM: { firstResponseHours: 24, resolutionHours: 120 },
  HIGH: { firstResponseHours: 8, resolutionHours: 48 },
  CRITICAL: { firstResponseHours: 2, resolutionHours: 24 },
};

/** SQL `IN (…)` list of a vocabulary, for CHECK constraints. */
export const sqlList = (values: object): string => Object.values(values).map((v) => `'${v}'`).join(',');
