import { z } from 'zod';
import { paginationQuery, timestampSchema } from './common';

/**
 * The knowledge base (issue 6): question/answer articles the flow `faq` verb matches customer
 * questions against (core `flow/text-match.ts`). Limits keep one tenant's index small enough to
 * rebuild on every change and every match cheap.
 */

export const KB_LIMITS = {
  questions: 20,
  questionLength: 500,
  keywords: 50,
  keywordLength: 100,
  /** The core caps variable strings at 4096 characters; an answer must fit whole. */
  answerLength: 4000,
  /** Articles per tenant. */
  articles: 5000,
  queryLength: 1000,
} as const;

export const kbLanguages = ['ru', 'en'] as const;

const question = z.string().trim().min(1).max(KB_LIMITS.questionLength);
const keyword = z.string().trim().min(1).max(KB_LIMITS.keywordLength);

export const kbArticleSchema = z.object({
  id: z.uuid(),
  /** Ways customers ask it (1–20); the text matched against, with the keywords. */
  questions: z.array(z.string()),
  keywords: z.array(z.string()),
  answer: z.string(),
  /** The language of the answer; null: any language. */
  language: z.enum(kbLanguages).nullable(),
  /** Disabled articles are kept but never matched. */
  enabled: z.boolean(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type KbArticle = z.infer<typeof kbArticleSchema>;

export const kbArticleCreateBody = z.strictObject({
  questions: z.array(question).min(1).max(KB_LIMITS.questions),
  keywords: z.array(keyword).max(KB_LIMITS.keywords).default([]),
  answer: z.string().trim().min(1).max(KB_LIMITS.answerLength),
  language: z.enum(kbLanguages).nullable().default(null),
  enabled: z.boolean().default(true),
});
export type KbArticleCreate = z.infer<typeof kbArticleCreateBody>;

export const kbArticlePatchBody = z.strictObject({
  questions: z.array(question).min(1).max(KB_LIMITS.questions).optional(),
  keywords: z.array(keyword).max(KB_LIMITS.keywords).optional(),
  answer: z.string().trim().min(1).max(KB_LIMITS.answerLength).optional(),
  language: z.enum(kbLanguages).nullable().optional(),
  enabled: z.boolean().optional(),
});
export type KbArticlePatch = z.infer<typeof kbArticlePatchBody>;

export const kbArticlesQuery = paginationQuery.extend({
  /** Words found in a question, keyword or the answer (case-insensitive substring). */
  q: z.string().trim().max(200).optional(),
});
export type KbArticlesQuery = z.infer<typeof kbArticlesQuery>;

/** "Try a question": the core matcher over the tenant's enabled articles. */
export const kbMatchBody = z.strictObject({
  question: z.string().trim().min(1).max(KB_LIMITS.queryLength),
  /** As the `faq` verb's threshold (default 0.5). */
  threshold: z.number().min(0).max(1).default(0.5),
  /** Only articles of this language or of any language; absent: all. */
  language: z.enum(kbLanguages).optional(),
});
export type KbMatchRequest = z.infer<typeof kbMatchBody>;

export const kbMatchSchema = z.object({
  /** The best-scoring article, even below the threshold (null when no word matched at all). */
  best: z.object({ article: kbArticleSchema, score: z.number() }).nullable(),
  /** Whether `best` reaches the threshold, i.e. whether the `faq` verb would answer with it. */
  matched: z.boolean(),
  threshold: z.number(),
});
export type KbMatch = z.infer<typeof kbMatchSchema>;
