import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { SurveyAnswer, SurveyQuestionType, SurveyResponse } from './survey.entity';

/** How survey response lists page (Survey.responses, Customer.surveyResponses): newest answer first. */
export const surveyResponseList: ListSpec<SurveyResponse, Record<string, unknown>, 'RESPONDED_AT'> = {
  entity: SurveyResponse,
  what: 'survey response',
  filters: {},
  sorts: { RESPONDED_AT: { sql: '{a}.responded_at', pgType: 'timestamptz' } },
  defaultSort: { field: 'RESPONDED_AT', direction: SortDirection.DESC },
};

/** The answers of many responses, in question order of their survey: one statement for a page of responses. */
export function answersByResponse(loaders: Loaders): DataLoader<string, SurveyAnswer[]> {
  const { condition } = loaders.scopeOf(SurveyResponse);
  return loaders.memo('answersByResponse', () =>
    new DataLoader<string, SurveyAnswer[]>(async (ids) => {
      const rows: Array<{ response_id: string; question_key: string; question_type: SurveyQuestionType; number_value: number | null; choices: string[] | null; text_value: string | null }> =
        await loaders.db.query(
          `SELECT x.response_id, x.question_key, x.question_type, x.number_value, x.choices, x.text_value
             FROM survey_answers x JOIN survey_responses a ON a.id = x.response_id JOIN surveys s ON s.id = a.survey_id
            WHERE x.response_id = ANY($1::uuid[]) ${condition ? `AND ${condition}` : ''}
            ORDER BY x.response_id, (SELECT q.n FROM jsonb_array_elements(s.questions) WITH ORDINALITY AS q(v, n) WHERE q.v->>'key' = x.question_key)`,
          [[...ids]],
        );
      const byResponse = new Map<string, SurveyAnswer[]>();
      for (const r of rows) {
        const list = byResponse.get(r.response_id) ?? [];
        list.push(Object.assign(new SurveyAnswer(), { questionKey: r.question_key, questionType: r.question_type, value: r.number_value, choices: r.choices, text: r.text_value }));
        byResponse.set(r.response_id, list);
      }
      return ids.map((id) => byResponse.get(id) ?? []);
    }),
  );
}
