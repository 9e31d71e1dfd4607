import type { Page } from '@hotline/protocol/common';
import type { KbArticle, KbArticleCreate, KbArticlePatch, KbMatch } from '@hotline/protocol/knowledge-base';
import { collection, type PageRequest, pageQuery, request } from '../../api/http';

const articles = collection<KbArticle, KbArticleCreate, KbArticlePatch>('knowledge-base/articles');

/** `/api/knowledge-base`: the articles the flow `faq` step answers from, a search, and the matcher. */
export const knowledgeBase = {
  ...articles,
  key: ['knowledge-base'] as const,
  /** A page of articles containing `q` (all when empty). */
  search: (page: PageRequest, q: string) =>
    request<Page<KbArticle>>(
      'GET',
      `/knowledge-base/articles${pageQuery(page, q.trim() ? { q: q.trim() } : {})}`,
    ),
  match: (question: string, threshold: number) =>
    request<KbMatch>('POST', '/knowledge-base/match', { question, threshold }),
};
