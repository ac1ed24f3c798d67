import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAKE_ARTICLE, FAKE_ARTICLE_HTML, FAKE_SITE_SECRET } from '@research/testkit';
import { EXTRACT_LIMITS, extractTitle, htmlToReadableText, truncateText } from '../src/html-to-text.js';

describe('htmlToReadableText', () => {
  const text = htmlToReadableText(FAKE_ARTICLE_HTML);

  it('never includes script, style, noscript or template content', () => {
    assert.ok(!text.includes(FAKE_SITE_SECRET), text);
    const inline = htmlToReadableText(
      '<p>a<script>evil()</script>b<style>p{}</style>c<noscript>n</noscript><template>t</template></p>',
    );
    assert.equal(inline, 'abc');
  });

  it('keeps headings and paragraphs as separate blocks, in their original case', () => {
    assert.ok(text.includes(`${FAKE_ARTICLE.heading}\n\n${FAKE_ARTICLE.paragraph}`), text);
    assert.ok(text.includes('\n\nRetries\n\n'), text);
  });

  it('drops markup, link URLs and images but keeps link text', () => {
    assert.ok(text.includes(FAKE_ARTICLE.linkText));
    assert.ok(!text.includes(FAKE_ARTICLE.linkHref));
    assert.ok(!/[<>]/.test(text), text);
    assert.ok(!text.includes('image.png') && !text.includes('diagram'), text);
  });

  it('does not repeat the title in the text', () => {
    assert.ok(!text.includes(FAKE_ARTICLE.title), text);
  });

  it('decodes entities', () => {
    assert.equal(htmlToReadableText('<p>Fish &amp; chips &lt;3</p>'), 'Fish & chips <3');
  });

  it('writes a table as one line per row, cells separated by bars', () => {
    const table =
      '<p>Intro</p><table><tr><th>Name</th><th>Age</th></tr><tr><td>Ada <b>L.</b></td><td>36</td></tr></table>';
    assert.equal(htmlToReadableText(`${table}<p>After</p>`), 'Intro\n\nName | Age\nAda L. | 36\n\nAfter');
  });

  it('cuts nesting deeper than the depth limit instead of overflowing the stack', () => {
    const depth = 20_000;
    const html = `<p>Intro</p>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}`;
    const text = htmlToReadableText(html);
    assert.ok(text.startsWith('Intro'), text.slice(0, 100));
    assert.ok(!text.includes('deep'));
    assert.equal(extractTitle(`<head><title>T</title></head><body>${html}</body>`), 'T');
  });

  it('reads no more children of one element than the limit', () => {
    const rows = EXTRACT_LIMITS.maxChildNodes + 5;
    const html = `<table>${Array.from({ length: rows }, (_, i) => `<tr><td>r${i}</td></tr>`).join('')}</table>`;
    const text = htmlToReadableText(html);
    assert.ok(text.includes(`r${EXTRACT_LIMITS.maxChildNodes - 1}\n`), 'the last row within the limit');
    assert.ok(!text.includes(`r${EXTRACT_LIMITS.maxChildNodes}`), 'a row past the limit');
  });
});

describe('extractTitle', () => {
  it('returns the decoded, whitespace-collapsed title', () => {
    assert.equal(extractTitle(FAKE_ARTICLE_HTML), FAKE_ARTICLE.title);
    assert.equal(extractTitle('<title>\n  A \n  B </title>'), 'A B');
  });

  it('returns null without a title, and ignores <title> inside scripts', () => {
    assert.equal(extractTitle('<p>no title</p>'), null);
    assert.equal(extractTitle('<script>document.write("<title>x</title>")</script><p>hi</p>'), null);
  });
});

describe('truncateText', () => {
  it('keeps text within the budget untouched', () => {
    assert.deepEqual(truncateText('abc', 3), { text: 'abc', truncated: false });
  });

  it('cuts to the budget and marks the text truncated', () => {
    assert.deepEqual(truncateText('abcdef', 4), { text: 'abcd', truncated: true });
  });

  it('does not split a surrogate pair', () => {
    assert.deepEqual(truncateText('ab😀cd', 3), { text: 'ab', truncated: true });
  });
});
