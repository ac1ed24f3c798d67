import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAKE_ARTICLE, FAKE_ARTICLE_HTML, FAKE_SITE_SECRET } from '@research/testkit';
import { extractTitle, htmlToReadableText, truncateText } from '../src/html-to-text.js';

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
