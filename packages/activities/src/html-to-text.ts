import { compile, type SelectorDefinition } from 'html-to-text';

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
  { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
];

const toText = compile({
  wordwrap: false,
  baseElements: { selectors: ['body'], returnDomByDefault: true },
  selectors,
});

const toTitle = compile({
  wordwrap: false,
  baseElements: { selectors: ['title'], returnDomByDefault: false },
  selectors: [{ selector: 'title', format: 'inline' }],
});

/**
 * Readable text of an HTML document: headings and paragraphs separated by blank lines, lists kept,
 * no markup, no script/style/noscript/template content, no link URLs or images.
 */
export function htmlToReadableText(html: string): string {
  return toText(html)
    .split('\n')
    .map((line) => line.trimEnd())
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
