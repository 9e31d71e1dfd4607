import type { LocalText } from './flow-types';

/**
 * Best-match search over a tenant's FAQ articles, for the `faq` verb.
 *
 * Tokens: NFKC, lower case, `ё` → `е`, runs of letters and digits; ru/en stop words (including chat
 * filler such as "hello", "please", "подскажите") dropped; a light suffix stemmer per script
 * (Cyrillic: the longest of a list of inflection endings, keeping at least 3 letters; Latin: -ies,
 * -ing, -ed, -es, -s).
 *
 * Score of article d for query q, in [0, 1]: the share of the query's information that d matches,
 *
 *   score = Σ_{t∈q} idf(t) · min(1, tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))) / Σ_{t∈q} idf(t)
 *
 * i.e. BM25's term weights (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5))) with each
 * term's saturation capped at 1, so one plain occurrence in an article of average length counts fully
 * and long articles count a little less. A query word found in no article gets the idf of a word in one
 * article, so unknown words lower the score. The article text is its questions and keywords (not the
 * answer). Best score wins, ties go to the earlier article; below the threshold there is no match.
 */
export interface FaqArticle {
  readonly id: string;
  /** Ways customers ask it; the text matched against. */
  readonly questions: readonly string[];
  readonly keywords?: readonly string[];
  readonly answer: LocalText;
}

export interface FaqIndex {
  readonly articles: readonly FaqArticle[];
  readonly docs: readonly { readonly tf: ReadonlyMap<string, number>; readonly length: number }[];
  readonly df: ReadonlyMap<string, number>;
  readonly avgLength: number;
}

export interface FaqMatch {
  readonly article: FaqArticle;
  readonly score: number;
}

const K1 = 1.2;
const B = 0.75;
/** Longest query considered, in tokens (hostile input stays cheap). */
const MAX_QUERY_TOKENS = 64;

/** Built once per knowledge-base change; pure data. */
export function buildFaqIndex(articles: readonly FaqArticle[]): FaqIndex {
  const df = new Map<string, number>();
  const docs = articles.map((a) => {
    const tokens = tokenize([...a.questions, ...(a.keywords ?? [])].join(' '));
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    return { tf, length: tokens.length };
  });
  const total = docs.reduce((s, d) => s + d.length, 0);
  return { articles, docs, df, avgLength: docs.length > 0 ? Math.max(1, total / docs.length) : 1 };
}

export function bestFaqMatch(index: FaqIndex, query: string, threshold: number): FaqMatch | null {
  const terms = [...new Set(tokenize(query.slice(0, 4096)))].slice(0, MAX_QUERY_TOKENS);
  if (terms.length === 0 || index.docs.length === 0) return null;
  const n = index.docs.length;
  const idf = (t: string) => {
    const df = Math.max(1, index.df.get(t) ?? 0);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
  const weights = terms.map(idf);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  let best: FaqMatch | null = null;
  index.docs.forEach((doc, i) => {
    const norm = K1 * (1 - B + (B * doc.length) / index.avgLength);
    let sum = 0;
    terms.forEach((t, j) => {
      const tf = doc.tf.get(t) ?? 0;
      if (tf > 0) sum += weights[j]! * Math.min(1, (tf * (K1 + 1)) / (tf + norm));
    });
    const score = sum / totalWeight;
    if (score > 0 && (best === null || score > best.score)) best = { article: index.articles[i]!, score };
  });
  const found = best as FaqMatch | null;
  return found !== null && found.score >= threshold ? found : null;
}

const STOP = new Set(
  (
    'a an the is are was were be been am to of in on at for with by from and or not no it its this that these ' +
    'those my your our i you we me us do does did can could would should will how what where when which who ' +
    'whom why there here please hi hello hey thanks thank want need know tell about some any just get ' +
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот ' +
    'от меня еще нет о об из ему теперь когда ну ли если уже или ни быть был него до вас вам ведь там потом ' +
    'себя ей может они тут где есть надо ней для мы тебя их чем была сам чтоб чтобы без чего раз тоже себе ' +
    'под будет ж тогда кто этот того потому этого какой какая какие здесь этом мой моя мое мои моего моей ' +
    'можно при про нас них хочу хотел хотела узнать скажите подскажите пожалуйста спасибо здравствуйте ' +
    'привет добрый день вечер утро'
  ).split(' '),
);

const RU_ENDINGS = [
  'иями',
  'ями',
  'ами',
  'ость',
  'ости',
  'ого',
  'его',
  'ому',
  'ему',
  'ыми',
  'ими',
  'ешь',
  'ишь',
  'ете',
  'ите',
  'ой',
  'ей',
  'ий',
  'ый',
  'ая',
  'яя',
  'ое',
  'ее',
  'ые',
  'ие',
  'ом',
  'ем',
  'ам',
  'ям',
  'ах',
  'ях',
  'ов',
  'ев',
  'ую',
  'юю',
  'ть',
  'ет',
  'ит',
  'ут',
  'ют',
  'ат',
  'ят',
  'ла',
  'ло',
  'ли',
  'ал',
  'ил',
  'а',
  'я',
  'о',
  'е',
  'ы',
  'и',
  'у',
  'ю',
  'ь',
  'й',
].sort((x, y) => y.length - x.length);

function stem(word: string): string {
  if (/^[а-я]+$/.test(word)) {
    for (const ending of RU_ENDINGS) {
      if (word.endsWith(ending) && word.length - ending.length >= 3) return word.slice(0, -ending.length);
    }
    return word;
  }
  if (/^[a-z]+$/.test(word) && word.length > 3) {
    if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
    if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
    if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
    if (word.endsWith('es') && word.length > 4) return word.slice(0, -2);
    if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  }
  return word;
}

/** Search tokens: words, stop words dropped, stemmed. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP.has(w)) out.push(stem(w));
  return out;
}

/** Keyword tokens: words stemmed, stop words kept ("нет", "no" are answers in a menu). */
export function keywordTokens(text: string): string[] {
  return words(text).map(stem);
}

function words(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .replaceAll('ё', 'е')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}
