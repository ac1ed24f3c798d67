import { compile, type FormatCallback, type HtmlToTextOptions, type SelectorDefinition } from 'html-to-text';

// Elements whose content is code, markup or media rather than prose; their text must never reach the LLM.
const SKIPPED = [
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'audio',
  'video',
  'img',
  'picture',
  'head',
  'title',
  'button',
  'select',
  'input',
  'textarea',
];

const selectors: SelectorDefinition[] = [
  ...SKIPPED.map((selector): SelectorDefinition => ({ selector, format: 'skip' })),
  { selector: 'a', options: { ignoreHref: true } },
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector): SelectorDefinition => ({
    selector,
    options: { uppercase: false },
  })),
  // Tables as rows of cells: html-to-text's dataTable layout is super-linear in the number of rows.
  { selector: 'table', format: 'block', options: { leadingLineBreaks: 2, trailingLineBreaks: 2 } },
  { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
  { selector: 'td', format: 'tableCell' },
  { selector: 'th', format: 'tableCell' },
];

/** A cell's text followed by a separator, so the cells of a row do not run together. */
const formatTableCell: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  builder.addLiteral(' | ');
};

/**
 * Bounds on what one conversion walks, whatever the page: the recursion depth (deeper nesting is cut, where it would
 * otherwise overflow the stack), the children of one element (a table of 200 000 rows is read up to the limit), and
 * the input length (the caller already cut the HTML to `HTML_EXTRACT_MAX_BYTES`; this is the backstop). The text
 * kept is far more than the `FETCH_MAX_CHARS` handed to the LLM.
 */
export const EXTRACT_LIMITS = { maxDepth: 100, maxChildNodes: 10_000, maxInputLength: 16 * 1024 * 1024 } as const;

const limits: HtmlToTextOptions['limits'] = { ...EXTRACT_LIMITS, ellipsis: ' ...' };

const toText = compile({
  wordwrap: false,
  baseElements: { selectors: ['body'], returnDomByDefault: true },
  selectors,
  formatters: { tableCell: formatTableCell },
  limits,
});

const toTitle = compile({
  wordwrap: false,
  baseElements: { selectors: ['title'], returnDomByDefault: false },
  selectors: [{ selector: 'title', format: 'inline' }],
  limits,
});

/**
 * Readable text of an HTML document: headings and paragraphs separated by blank lines, lists kept,
 * no markup, no script/style/noscript/template content, no link URLs or images.
 */
export function htmlToReadableText(html: string): string {
  return toText(html)
    .split('\n')
    .map((line) => line.trimEnd().replace(/ \|$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The document's `<title>`, whitespace collapsed and entities decoded; null when absent or blank. */
export function extractTitle(html: string): string | null {
  const title = toTitle(html).replace(/\s+/g, ' ').trim();
  return title === '' ? null : title;
}

/** Cuts `text` to at most `maxChars` UTF-16 units without splitting a surrogate pair. */
export function truncateText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), truncated: true };
}
