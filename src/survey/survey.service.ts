import type { EntityManager } from 'typeorm';
import { connection, Connection, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageInfo } from '../common/connection.types';
import { badInput, pgCode, pgConstraint, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf, isUuid } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { resolveReference } from '../common/references';
import { findInScope } from '../common/scoped';
import { instantArgument, pastInstant, requiredText } from '../common/validate';
import { actorUserId } from '../core/actor';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { ConsentChannel, Customer } from '../customer/customer.entity';
import { Touchpoint, TouchpointChannel, TouchpointDirection, TouchpointPurpose } from '../touchpoint/touchpoint.entity';
import type { TouchpointService } from '../touchpoint/touchpoint.service';
import { invitationParams, invitationsCte } from './invitations';
import { scheduleSurveyTasksIn } from './survey-tasks';
import { satisfactionSummary } from './satisfaction';
import { checkAnswers, checkQuestions } from './questions';
import { answersByResponse, surveyResponseList } from './survey.loaders';
import { Survey, SurveyAnswer, SurveyQuestionType, SurveyResponse, SurveyStatus, SurveyTrigger } from './survey.entity';
import type {
  CreateSurveyInput,
  RecordSurveyResponseInput,
  SatisfactionSummary,
  SatisfactionSummaryArgs,
  ScheduleSurveyTasksInput,
  ScheduleSurveyTasksPayload,
  SurveyFields,
  SurveyInvitation,
  SurveyInvitationsArgs,
  SurveyPayload,
  SurveyResponsePayload,
  SurveyStatusInput,
  UpdateSurveyInput,
} from './survey.types';
import { SurveyInvitation as Invitation } from './survey.types';

type Path = Array<string | number>;

/** How far in the future a time may lie: clients' clocks drift a little from the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;

const at = (f: string): Path => ['input', f];
const surveyPayload = (survey: Survey | null, errors: UserErrors): SurveyPayload => ({ survey: errors.any ? null : survey, userErrors: errors.list });

/** The touchpoint channel a survey answer comes in through, for each consent channel. */
const TOUCHPOINT_CHANNEL: Record<ConsentChannel, TouchpointChannel> = {
  [ConsentChannel.EMAIL]: TouchpointChannel.EMAIL,
  [ConsentChannel.SMS]: TouchpointChannel.SMS,
  [ConsentChannel.PHONE]: TouchpointChannel.PHONE,
  [ConsentChannel.MAIL]: TouchpointChannel.DIRECT_MAIL,
};

/**
 * Surveys: configuration (ADMIN and MANAGER: `settings:write`), responses (customer data: `touchpoints:write`, a sales
 * rep for their own book only), who is due to be asked, and the SURVEY tasks that ask them.
 *
 * A response is stored with its answers and logs a SURVEY touchpoint in the same transaction that carries the CSAT and
 * NPS answers in the touchpoint's `satisfaction` and `nps`: every existing reader of those (Customer.satisfaction,
 * churn drivers, the care agenda's survey routine) sees responses without a change of its own.
 */
export class SurveyService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly touchpoints: TouchpointService,
  ) {}

  async findOne(globalId: string): Promise<Survey | null> {
    const id = decodeIdOf('Survey', globalId);
    if (!id) throw badInput('`id` is not a valid Survey ID.', { field: 'id' });
    return this.deps.loaders.byId(Survey).load(id);
  }

  async list(status: SurveyStatus | null | undefined): Promise<Survey[]> {
    const { condition } = this.deps.loaders.scopeOf(Survey);
    const qb = this.deps.db.getRepository(Survey).createQueryBuilder('a').orderBy('lower(a.name)', 'ASC');
    if (status) qb.where('a.status = :status', { status });
    if (condition) qb.andWhere(condition);
    return qb.getMany();
  }

  responsesOf(parentColumn: 'survey_id' | 'customer_id', parentId: string, args: ListArgs): Promise<Connection<SurveyResponse>> {
    return this.deps.loaders.pageByParent(surveyResponseList, parentColumn, args).load(parentId);
  }

  satisfaction(args: SatisfactionSummaryArgs): Promise<SatisfactionSummary> {
    return satisfactionSummary(this.deps, args);
  }

  answers(responseId: string): Promise<SurveyAnswer[]> {
    return answersByResponse(this.deps.loaders).load(responseId);
  }

  // -- configuration --------------------------------------------------------------------------------------------------

  async create(input: CreateSurveyInput): Promise<SurveyPayload> {
    this.deps.access.require('settings:write');
    const errors = new UserErrors();
    const name = requiredText(errors, at('name'), input.name);
    const questions = checkQuestions(errors, at('questions'), input.questions);
    if (!input.questions.length) errors.add(at('questions'), UserErrorCode.REQUIRED, 'A survey needs at least one question.');
    const timing = this.timing(errors, input, input.trigger, null);
    if (errors.any || !name || !questions || !timing) return surveyPayload(null, errors);
    return this.takenOr(errors, () => this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(Survey);
      const survey = repo.create({ name, questions, trigger: input.trigger, channel: input.channel, status: SurveyStatus.DRAFT, ...timing });
      await repo.insert(survey);
      const created = await repo.findOneByOrFail({ id: survey.id });
      await recordAudit(m, this.deps, { action: 'survey.create', objectType: 'Survey', objectId: created.id, after: created });
      return surveyPayload(created, errors);
    }));
  }

  async update(input: UpdateSurveyInput): Promise<SurveyPayload> {
    const errors = new UserErrors();
    if (input.name === null) errors.add(at('name'), UserErrorCode.REQUIRED, 'Name cannot be cleared.');
    if (input.questions === null) errors.add(at('questions'), UserErrorCode.REQUIRED, 'Questions cannot be cleared.');
    if (input.questions && !input.questions.length) errors.add(at('questions'), UserErrorCode.REQUIRED, 'A survey needs at least one question.');
    for (const field of ['trigger', 'channel', 'delayDays'] as const) if (input[field] === null) errors.add(at(field), UserErrorCode.REQUIRED, 'Cannot be cleared.');
    const name = input.name == null ? undefined : requiredText(errors, at('name'), input.name);
    const questions = input.questions ? checkQuestions(errors, at('questions'), input.questions) : undefined;
    return this.change(input, errors, 'survey.update', (current) => {
      if (current.status === SurveyStatus.CLOSED) errors.add(at('id'), UserErrorCode.INVALID, 'The survey is CLOSED: it no longer changes.');
      else if (current.status !== SurveyStatus.DRAFT) {
        if (input.questions != null) errors.add(at('questions'), UserErrorCode.INVALID, 'The survey is ACTIVE: its questions are fixed (responses refer to them). Create a new survey instead.');
        if (input.trigger != null && input.trigger !== current.trigger) errors.add(at('trigger'), UserErrorCode.INVALID, 'The survey is ACTIVE: its trigger is fixed.');
      }
      const trigger = input.trigger ?? current.trigger;
      const timing = this.timing(errors, input, trigger, current);
      if (errors.any || !timing) return null;
      const changes: Partial<Survey> = { ...timing, trigger };
      if (name) changes.name = name;
      if (questions) changes.questions = questions;
      if (input.channel) changes.channel = input.channel;
      return changes;
    });
  }

  activate(input: SurveyStatusInput): Promise<SurveyPayload> {
    const errors = new UserErrors();
    return this.change(input, errors, 'survey.activate', (current) => {
      if (current.status !== SurveyStatus.DRAFT) errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `The survey is ${current.status}: only a DRAFT survey is activated.`);
      return errors.any ? null : { status: SurveyStatus.ACTIVE, activatedAt: new Date() };
    });
  }

  close(input: SurveyStatusInput): Promise<SurveyPayload> {
    const errors = new UserErrors();
    return this.change(input, errors, 'survey.close', (current) => {
      if (current.status === SurveyStatus.CLOSED) errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, 'The survey is already CLOSED.');
      // A draft closed without ever going live still needs an activation time for the table's rule: its closing.
      const now = new Date();
      return errors.any ? null : { status: SurveyStatus.CLOSED, closedAt: now, activatedAt: current.activatedAt ?? now };
    });
  }

  /** Trigger period and delay, checked together: a period goes with PERIODIC and only with it. */
  private timing(errors: UserErrors, input: SurveyFields, trigger: SurveyTrigger, current: Survey | null): { periodDays: number | null; delayDays: number } | null {
    const before = errors.list.length;
    const delayDays = input.delayDays ?? current?.delayDays ?? 0;
    if (!Number.isInteger(delayDays) || delayDays < 0 || delayDays > 365) errors.add(at('delayDays'), UserErrorCode.OUT_OF_RANGE, 'Must be from 0 to 365 days.');
    let periodDays = input.periodDays === undefined ? current?.periodDays ?? null : input.periodDays;
    if (trigger === SurveyTrigger.PERIODIC) {
      if (periodDays == null) errors.add(at('periodDays'), UserErrorCode.REQUIRED, 'A PERIODIC survey needs its period.');
      else if (periodDays < 1 || periodDays > 3650) errors.add(at('periodDays'), UserErrorCode.OUT_OF_RANGE, 'Must be from 1 to 3650 days.');
    } else if (input.periodDays != null) {
      errors.add(at('periodDays'), UserErrorCode.INVALID, 'Only PERIODIC surveys have a period.');
    } else periodDays = null;
    return errors.list.length > before ? null : { periodDays, delayDays };
  }

  /** Loads, locks and version-checks a survey, applies `decide`'s changes with a version bump, and audits them. */
  private async change(
    input: { id: string; expectedVersion?: number | null },
    errors: UserErrors,
    action: string,
    decide: (current: Survey) => Partial<Survey> | null,
  ): Promise<SurveyPayload> {
    this.deps.access.require('settings:write');
    const id = decodeIdOf('Survey', input.id);
    if (!id) errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid Survey ID.');
    if (errors.any || !id) return surveyPayload(null, errors);
    return this.takenOr(errors, () => this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(Survey);
      const current = await findInScope(m, Survey, id, null, { lock: true });
      if (!current) {
        errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No survey with this ID.');
        return surveyPayload(null, errors);
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The survey changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
        return surveyPayload(null, errors);
      }
      const changes = decide(current);
      if (errors.any || !changes) return surveyPayload(null, errors);
      await repo.update({ id }, { ...changes, version: current.version + 1 });
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, { action, objectType: 'Survey', objectId: id, before: current, after: updated });
      return surveyPayload(updated, errors);
    }));
  }

  /** Runs a write; a second survey of the same name is TAKEN at input.name (the unique index decides, race-free). */
  private async takenOr(errors: UserErrors, write: () => Promise<SurveyPayload>): Promise<SurveyPayload> {
    try {
      return await write();
    } catch (e) {
      if (pgCode(e) !== PG_UNIQUE_VIOLATION || pgConstraint(e) !== 'surveys_name_key') throw e;
      errors.add(at('name'), UserErrorCode.TAKEN, 'Another survey has this name.');
      return surveyPayload(null, errors);
    }
  }

  // -- responses -------------------------------------------------------------------------------------------------------

  async recordResponse(input: RecordSurveyResponseInput): Promise<SurveyResponsePayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const now = new Date();
    const respondedAt = input.respondedAt ?? now;
    pastInstant(errors, at('respondedAt'), respondedAt, now, CLOCK_SKEW_MS);
    const fail = (): SurveyResponsePayload => ({ response: null, userErrors: errors.list });
    return this.deps.db.transaction(async (m) => {
      const survey = await this.surveyFor(m, errors, at('surveyId'), input.surveyId);
      if (survey && survey.status !== SurveyStatus.ACTIVE) {
        errors.add(at('surveyId'), UserErrorCode.INVALID, survey.status === SurveyStatus.DRAFT ? 'The survey is DRAFT: activate it before recording responses.' : 'The survey is CLOSED: it takes no more responses.');
      }
      const customerId = await resolveReference(m, errors, at('customerId'), 'Customer', Customer, input.customerId, this.deps.access.rowCondition('customers'));
      const trigger = customerId ? await this.triggerTouchpoint(m, errors, input.touchpointId, customerId, respondedAt) : null;
      const answers = survey ? checkAnswers(errors, at('answers'), survey.questions, input.answers) : undefined;
      if (errors.any || !survey || !customerId || !answers) return fail();
      const triggeredBy = input.touchpointId == null ? await this.invitingTouchpoint(m, survey, customerId, respondedAt) : trigger;

      const csat = answers.find((a) => a.questionType === SurveyQuestionType.CSAT)?.value ?? null;
      const nps = answers.find((a) => a.questionType === SurveyQuestionType.NPS)?.value ?? null;
      const row = await this.touchpoints.prepareLog(
        m,
        errors,
        {
          customerId: input.customerId,
          channel: TOUCHPOINT_CHANNEL[survey.channel],
          direction: TouchpointDirection.INBOUND,
          purpose: TouchpointPurpose.SURVEY,
          occurredAt: respondedAt,
          subject: survey.name,
          satisfaction: csat,
          nps,
        },
        ['input'],
        now,
      );
      if (errors.any || !row) return fail();
      const touchpoint = await this.touchpoints.writeLog(m, row);

      const repo = m.getRepository(SurveyResponse);
      const response = repo.create({
        surveyId: survey.id,
        customerId,
        touchpointId: touchpoint.id,
        triggerTouchpointId: triggeredBy ?? null,
        userId: actorUserId(this.deps.actor),
        channel: survey.channel,
        respondedAt,
        csat,
        nps,
      });
      await repo.insert(response);
      await m.query(
        `INSERT INTO survey_answers (response_id, customer_id, question_key, question_type, number_value, choices, text_value)
         SELECT $1, $2, a.key, a.type, a.value, CASE WHEN a.choices IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(a.choices)) END, a.text
           FROM unnest($3::text[], $4::text[], $5::int[], $6::jsonb[], $7::text[]) AS a(key, type, value, choices, text)`,
        [
          response.id,
          customerId,
          answers.map((a) => a.questionKey),
          answers.map((a) => a.questionType),
          answers.map((a) => a.value),
          answers.map((a) => (a.choices ? JSON.stringify(a.choices) : null)),
          answers.map((a) => a.text),
        ],
      );
      // The invitation is answered: the customer's open SURVEY task for this survey is done, by this touchpoint.
      const done: Array<{ id: string }> = await m.query(
        `WITH t AS (UPDATE tasks SET status = 'DONE', completed_at = now(), completion_touchpoint_id = $3, version = version + 1, updated_at = now()
                     WHERE customer_id = $1 AND survey_id = $2 AND status = 'OPEN' RETURNING id) SELECT id FROM t`,
        [customerId, survey.id, touchpoint.id],
      );
      const created = await repo.findOneByOrFail({ id: response.id });
      // The answers are not copied into the audit log: free text is personal data, and the rows are the record.
      await recordAudit(m, this.deps, [
        { action: 'surveyResponse.record', objectType: 'SurveyResponse', objectId: created.id, after: { ...created, answers: answers.length } },
        ...done.map((t) => ({ action: 'task.complete', objectType: 'Task', objectId: t.id, before: { status: 'OPEN' }, after: { status: 'DONE', completionTouchpointId: touchpoint.id } })),
      ]);
      return { response: created, userErrors: [] };
    });
  }

  private async surveyFor(m: EntityManager, errors: UserErrors, path: Path, globalId: string): Promise<Survey | null> {
    const id = decodeIdOf('Survey', globalId);
    if (!id) {
      errors.add(path, UserErrorCode.INVALID_ID, 'Not a valid Survey ID.');
      return null;
    }
    const survey = await m.getRepository(Survey).findOneBy({ id });
    if (!survey) errors.add(path, UserErrorCode.NOT_FOUND, 'No survey with this ID.');
    return survey;
  }

  /**
   * The touchpoint behind the invitation a response answers, when the caller names none: for a survey sent after a
   * service contact or a resolved complaint, the latest such event of the customer since the survey went live and not
   * after the answer, unless the survey was answered since (that event's invitation was answered already). The same
   * events as the invitations (invitations.ts), without the delay: a customer may answer before being reminded.
   */
  private async invitingTouchpoint(m: EntityManager, survey: Survey, customerId: string, respondedAt: Date): Promise<string | null> {
    const events: Partial<Record<SurveyTrigger, string>> = {
      [SurveyTrigger.AFTER_SERVICE_TOUCHPOINT]: `SELECT t.id, t.occurred_at AS at FROM touchpoints t
          WHERE t.customer_id = $1 AND t.purpose = 'SERVICE' AND t.deleted_at IS NULL AND t.occurred_at >= $3 AND t.occurred_at <= $4`,
      [SurveyTrigger.AFTER_RESOLVED_COMPLAINT]: `SELECT k.touchpoint_id AS id, k.resolved_at AS at FROM complaints k
          WHERE k.customer_id = $1 AND k.resolved_at >= $3 AND k.resolved_at <= $4
            AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)`,
    };
    const ev = events[survey.trigger];
    if (!ev || !survey.activatedAt) return null;
    const [row]: Array<{ id: string }> = await m.query(
      `SELECT e.id FROM (${ev}) e
        WHERE NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.survey_id = $2 AND r.customer_id = $1 AND r.responded_at >= e.at AND r.responded_at <= $4)
        ORDER BY e.at DESC, e.id DESC LIMIT 1`,
      [customerId, survey.id, survey.activatedAt, respondedAt],
    );
    return row?.id ?? null;
  }

  /** The touchpoint that occasioned a response: one of the same customer, the caller may see, not after the answer. */
  private async triggerTouchpoint(m: EntityManager, errors: UserErrors, globalId: string | null | undefined, customerId: string, respondedAt: Date): Promise<string | null> {
    if (globalId == null) return null;
    const id = decodeIdOf('Touchpoint', globalId);
    if (!id) {
      errors.add(at('touchpointId'), UserErrorCode.INVALID_ID, 'Not a valid Touchpoint ID.');
      return null;
    }
    const t = await findInScope(m, Touchpoint, id, this.deps.access.rowCondition('touchpoints'));
    if (!t) errors.add(at('touchpointId'), UserErrorCode.NOT_FOUND, 'No touchpoint with this ID.');
    else if (t.customerId !== customerId) errors.add(at('touchpointId'), UserErrorCode.INVALID, 'This touchpoint belongs to another customer.');
    else if (t.occurredAt > respondedAt) errors.add(at('touchpointId'), UserErrorCode.INVALID, 'This touchpoint happened after the response.');
    return errors.any ? null : id;
  }

  // -- invitations and tasks -------------------------------------------------------------------------------------------------

  async invitations(args: SurveyInvitationsArgs): Promise<Connection<SurveyInvitation>> {
    this.deps.access.require('touchpoints:read');
    const id = decodeIdOf('Survey', args.surveyId);
    if (!id) throw badInput('`surveyId` is not a valid Survey ID.', { field: 'surveyId' });
    const asOf = instantArgument(args.asOf ?? new Date(), 'asOf');
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badInput(`\`first\` must be from 0 to ${MAX_PAGE_SIZE}.`, { field: 'first' });
    const cursor = args.after == null ? null : decodeInvitationCursor(args.after, id);
    const survey = await this.deps.loaders.byId(Survey).load(id);
    const empty = (): Connection<SurveyInvitation> =>
      connection({ edges: [], nodes: [], pageInfo: Object.assign(new PageInfo(), { hasNextPage: false, hasPreviousPage: cursor !== null, startCursor: null, endCursor: null }) }, async () => 0);
    if (!survey || survey.status !== SurveyStatus.ACTIVE) return empty();
    const cte = invitationsCte(survey, this.deps.access.customerCondition('c'));
    const params = invitationParams(survey, asOf);
    const rows: Array<{ customer_id: string; owner_id: string | null; event_at: Date; due_at: Date; due_key: string; trigger_touchpoint_id: string | null; open_task: boolean }> =
      await this.deps.db.query(
        `${cte}
         SELECT * FROM due ${cursor ? 'WHERE (due_at, customer_id) > ($7::timestamptz, $8::uuid)' : ''}
          ORDER BY due_at, customer_id LIMIT ${first + 1}`,
        cursor ? [...params, cursor.dueKey, cursor.customerId] : params,
      );
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({
      cursor: encodeInvitationCursor(id, r.due_key, r.customer_id),
      node: Object.assign(new Invitation(), {
        customerId: r.customer_id,
        ownerId: r.owner_id,
        triggerTouchpointId: r.trigger_touchpoint_id,
        eventAt: r.event_at,
        dueAt: r.due_at,
        hasOpenSurveyTask: r.open_task,
      }),
    }));
    return connection(
      {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: Object.assign(new PageInfo(), {
          hasNextPage: rows.length > first,
          hasPreviousPage: cursor !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        }),
      },
      async () => (await this.deps.db.query(`${cte} SELECT count(*)::int AS n FROM due`, params))[0].n,
    );
  }

  /**
   * SURVEY tasks for the customers a survey invites now, for each customer's owner, unless the customer has an open
   * SURVEY task already: one statement whether dry or not, so a dry run counts exactly what a real one would write.
   */
  async scheduleTasks(input: ScheduleSurveyTasksInput): Promise<ScheduleSurveyTasksPayload> {
    this.deps.access.require('settings:write');
    const errors = new UserErrors();
    const asOf = input.asOf ?? new Date();
    if (Number.isNaN(asOf.getTime()) || asOf.getFullYear() < 1900) errors.add(at('asOf'), UserErrorCode.OUT_OF_RANGE, 'Must not be before 1900-01-01.');
    const result = (counts: { invited: number; scheduled: number; alreadyOpen: number; withoutOwner: number }): ScheduleSurveyTasksPayload => ({ ...counts, dryRun: input.dryRun, userErrors: errors.list });
    const none = { invited: 0, scheduled: 0, alreadyOpen: 0, withoutOwner: 0 };
    return this.deps.db.transaction(async (m) => {
      const survey = await this.surveyFor(m, errors, at('surveyId'), input.surveyId);
      if (survey && survey.status !== SurveyStatus.ACTIVE) errors.add(at('surveyId'), UserErrorCode.INVALID, `The survey is ${survey.status}: only an ACTIVE survey invites customers.`);
      if (errors.any || !survey) return result(none);
      return result(await scheduleSurveyTasksIn(m, this.deps, survey, asOf, this.deps.access.customerCondition('c'), input.dryRun));
    });
  }
}

/** A timestamptz as Postgres prints it, e.g. `2025-01-31 09:15:00.123456+00`. */
const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

/** Invitation cursors: the survey, the exact due time (Postgres' text) and the customer, base64url'd. */
function encodeInvitationCursor(surveyId: string, dueKey: string, customerId: string): string {
  return Buffer.from(JSON.stringify(['SurveyInvitation', surveyId, dueKey, customerId]), 'utf8').toString('base64url');
}

function decodeInvitationCursor(cursor: string, surveyId: string): { dueKey: string; customerId: string } {
  const bad = () => badInput('`after` is not a cursor of this survey’s invitations.', { field: 'after' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== 'SurveyInvitation' || parsed[1] !== surveyId) throw bad();
  const [, , dueKey, customerId] = parsed as [string, string, unknown, unknown];
  if (typeof dueKey !== 'string' || typeof customerId !== 'string' || !isUuid(customerId) || !PG_TIMESTAMPTZ.test(dueKey)) throw bad();
  return { dueKey, customerId };
}

