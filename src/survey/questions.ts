import { UserErrorCode, UserErrors } from '../common/errors';
import { hasNul, NUL_MESSAGE, optionalText, requiredText } from '../common/validate';
import { SurveyQuestion, SurveyQuestionType } from './survey.entity';

type Path = Array<string | number>;

/** Limits of one survey and one response. */
export const MAX_QUESTIONS = 30;
export const MAX_OPTIONS = 20;
export const MAX_FREE_TEXT = 2_000;
const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** The fixed ranges of the standard questions. */
const FIXED_RANGE: Partial<Record<SurveyQuestionType, [number, number]>> = {
  [SurveyQuestionType.CSAT]: [1, 5],
  [SurveyQuestionType.NPS]: [0, 10],
};
const NUMERIC = new Set([SurveyQuestionType.CSAT, SurveyQuestionType.NPS, SurveyQuestionType.SCALE]);
const CHOICE = new Set([SurveyQuestionType.SINGLE_CHOICE, SurveyQuestionType.MULTIPLE_CHOICE]);

export interface QuestionInputLike {
  key: string;
  type: SurveyQuestionType;
  text: string;
  required?: boolean | null;
  min?: number | null;
  max?: number | null;
  options?: string[] | null;
}

export interface AnswerInputLike {
  questionKey: string;
  value?: number | null;
  choices?: string[] | null;
  text?: string | null;
}

/** An answer checked against its question: what survey_answers stores. */
export interface CheckedAnswer {
  questionKey: string;
  questionType: SurveyQuestionType;
  value: number | null;
  choices: string[] | null;
  text: string | null;
}

/**
 * Checks a survey's questions (input at `path`) and returns them normalised, or undefined after recording errors. At
 * most one CSAT and one NPS question: their answers are what the SURVEY touchpoint carries, so there must be one each.
 */
export function checkQuestions(errors: UserErrors, path: Path, input: QuestionInputLike[]): SurveyQuestion[] | undefined {
  const before = errors.list.length;
  if (input.length > MAX_QUESTIONS) {
    errors.add(path, UserErrorCode.TOO_MANY, `At most ${MAX_QUESTIONS} questions.`);
    return undefined;
  }
  const keys = new Set<string>();
  const seen = new Set<SurveyQuestionType>();
  const out = input.map((q, i): SurveyQuestion => {
    const at = (f: string): Path => [...path, i, f];
    const key = q.key?.trim() ?? '';
    if (!KEY.test(key)) errors.add(at('key'), UserErrorCode.INVALID, 'Must start with a lower-case letter and hold only lower-case letters, digits and _ (at most 40).');
    else if (keys.has(key)) errors.add(at('key'), UserErrorCode.TAKEN, `Another question of this survey has the key "${key}".`);
    keys.add(key);
    if ((q.type === SurveyQuestionType.CSAT || q.type === SurveyQuestionType.NPS) && seen.has(q.type)) {
      errors.add(at('type'), UserErrorCode.INVALID, `A survey has at most one ${q.type} question.`);
    }
    seen.add(q.type);
    const text = requiredText(errors, at('text'), q.text, 500) ?? '';
    let min: number | null = null;
    let max: number | null = null;
    const fixed = FIXED_RANGE[q.type];
    if (fixed) {
      if ((q.min != null && q.min !== fixed[0]) || (q.max != null && q.max !== fixed[1])) {
        errors.add(at(q.min != null && q.min !== fixed[0] ? 'min' : 'max'), UserErrorCode.INVALID, `A ${q.type} question always runs from ${fixed[0]} to ${fixed[1]}.`);
      }
      [min, max] = fixed;
    } else if (q.type === SurveyQuestionType.SCALE) {
      if (q.min == null) errors.add(at('min'), UserErrorCode.REQUIRED, 'A SCALE question needs its lowest answer.');
      if (q.max == null) errors.add(at('max'), UserErrorCode.REQUIRED, 'A SCALE question needs its highest answer.');
      if (q.min != null && q.max != null) {
        if (q.min < -1000 || q.max > 1000) errors.add(at(q.min < -1000 ? 'min' : 'max'), UserErrorCode.OUT_OF_RANGE, 'A scale runs within -1000 to 1000.');
        else if (q.max <= q.min) errors.add(at('max'), UserErrorCode.OUT_OF_RANGE, 'Must be above `min`.');
        else if (q.max - q.min > 100) errors.add(at('max'), UserErrorCode.OUT_OF_RANGE, 'A scale has at most 101 steps.');
      }
      min = q.min ?? null;
      max = q.max ?? null;
    } else if (q.min != null || q.max != null) {
      errors.add(at(q.min != null ? 'min' : 'max'), UserErrorCode.INVALID, `A ${q.type} question has no range.`);
    }
    let options: string[] = [];
    if (CHOICE.has(q.type)) {
      const raw = q.options ?? [];
      if (raw.length < 2) errors.add(at('options'), UserErrorCode.REQUIRED, 'A choice question needs at least two options.');
      else if (raw.length > MAX_OPTIONS) errors.add(at('options'), UserErrorCode.TOO_MANY, `At most ${MAX_OPTIONS} options.`);
      else {
        options = raw.map((o, j) => requiredText(errors, [...path, i, 'options', j], o, 100) ?? '');
        const dup = options.findIndex((o, j) => o && options.indexOf(o) !== j);
        if (dup >= 0) errors.add([...path, i, 'options', dup], UserErrorCode.TAKEN, 'Options must differ.');
      }
    } else if (q.options?.length) {
      errors.add(at('options'), UserErrorCode.INVALID, `A ${q.type} question has no options.`);
    }
    return Object.assign(new SurveyQuestion(), { key, type: q.type, text, required: q.required ?? true, min, max, options });
  });
  return errors.list.length > before ? undefined : out;
}

/**
 * Checks a response's answers (input at `path`) against the survey's questions: every answer to a question of the
 * survey, once, of the question's type and in its range or options; every required question answered. Returns the
 * answers to store (blank free text counts as no answer), or undefined after recording errors at each answer's path.
 */
export function checkAnswers(errors: UserErrors, path: Path, questions: SurveyQuestion[], input: AnswerInputLike[]): CheckedAnswer[] | undefined {
  const before = errors.list.length;
  if (input.length > questions.length) {
    errors.add(path, UserErrorCode.TOO_MANY, `The survey has ${questions.length} questions; one answer each at most.`);
    return undefined;
  }
  const byKey = new Map(questions.map((q) => [q.key, q]));
  const answered = new Set<string>();
  const out: CheckedAnswer[] = [];
  input.forEach((a, i) => {
    const at = (f: string): Path => [...path, i, f];
    const q = typeof a.questionKey === 'string' ? byKey.get(a.questionKey) : undefined;
    if (!q) {
      errors.add(at('questionKey'), UserErrorCode.NOT_FOUND, 'The survey has no question with this key.');
      return;
    }
    if (answered.has(q.key)) {
      errors.add(at('questionKey'), UserErrorCode.INVALID, 'This question is answered twice.');
      return;
    }
    answered.add(q.key);
    const misplaced = (field: 'value' | 'choices' | 'text') => errors.add(at(field), UserErrorCode.INVALID, `A ${q.type} question is not answered with \`${field}\`.`);
    const answer: CheckedAnswer = { questionKey: q.key, questionType: q.type, value: null, choices: null, text: null };
    if (NUMERIC.has(q.type)) {
      if (a.choices != null) misplaced('choices');
      if (a.text != null) misplaced('text');
      if (a.value == null) errors.add(at('value'), UserErrorCode.REQUIRED, `Give a whole number from ${q.min} to ${q.max}.`);
      else if (!Number.isInteger(a.value) || a.value < q.min! || a.value > q.max!) errors.add(at('value'), UserErrorCode.OUT_OF_RANGE, `Must be a whole number from ${q.min} to ${q.max}.`);
      else answer.value = a.value;
    } else if (CHOICE.has(q.type)) {
      if (a.value != null) misplaced('value');
      if (a.text != null) misplaced('text');
      const chosen = a.choices ?? [];
      if (!chosen.length) errors.add(at('choices'), UserErrorCode.REQUIRED, 'Choose one of the options.');
      else if (q.type === SurveyQuestionType.SINGLE_CHOICE && chosen.length > 1) errors.add(at('choices'), UserErrorCode.TOO_MANY, 'Choose exactly one option.');
      else {
        const bad = chosen.findIndex((c) => !q.options.includes(c));
        const dup = chosen.findIndex((c, j) => chosen.indexOf(c) !== j);
        if (bad >= 0) errors.add([...path, i, 'choices', bad], UserErrorCode.INVALID, `Not an option of this question (${q.options.join(', ')}).`);
        else if (dup >= 0) errors.add([...path, i, 'choices', dup], UserErrorCode.INVALID, 'Chosen twice.');
        else answer.choices = chosen;
      }
    } else {
      if (a.value != null) misplaced('value');
      if (a.choices != null) misplaced('choices');
      if (a.text != null && hasNul(a.text)) errors.add(at('text'), UserErrorCode.INVALID, NUL_MESSAGE);
      else answer.text = optionalText(errors, at('text'), a.text ?? null, MAX_FREE_TEXT) ?? null;
      if (answer.text == null) answered.delete(q.key);
    }
    if (answer.value != null || answer.choices != null || answer.text != null) out.push(answer);
  });
  for (const q of questions) {
    if (q.required && !answered.has(q.key) && !input.some((a) => a.questionKey === q.key)) {
      errors.add(path, UserErrorCode.REQUIRED, `Question "${q.key}" must be answered.`);
    }
  }
  // A required free-text question answered with blank text is a missing answer, reported where it was given.
  input.forEach((a, i) => {
    const q = byKey.get(a.questionKey);
    if (q?.type === SurveyQuestionType.FREE_TEXT && q.required && !answered.has(q.key) && a.text != null && !a.text.trim()) {
      errors.add([...path, i, 'text'], UserErrorCode.REQUIRED, 'This question must be answered.');
    }
  });
  if (errors.list.length === before && !out.length) errors.add(path, UserErrorCode.REQUIRED, 'Answer at least one question.');
  return errors.list.length > before ? undefined : out;
}
