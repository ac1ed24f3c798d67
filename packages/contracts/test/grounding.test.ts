import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkGrounding, isPoorlyGrounded, normalizeForGrounding } from '../src/index.js';

describe('normalizeForGrounding', () => {
  it('folds whitespace runs, typographic quotes, dashes and case', () => {
    assert.equal(
      normalizeForGrounding('  The  “Durable”\n\tExecution’s — core\u00a0idea '),
      'the "durable" execution\'s - core idea',
    );
  });

  it('maps compatibility characters (NFKC) so a ligature matches its letters', () => {
    assert.equal(normalizeForGrounding('ﬁle'), 'file');
  });
});

describe('checkGrounding', () => {
  const texts = ['Temporal records every step\nof a workflow in an “event history”.', null, 'Second source text.'];

  it('verifies a quote found in the source it cites, ignoring whitespace, quotes and case', () => {
    const { points, verified, unverified } = checkGrounding(
      [{ text: 'p', citations: [{ source: 1, quote: 'every step of a workflow in an "Event History"' }] }],
      texts,
    );
    assert.deepEqual(points[0]?.citations, [
      { source: 1, quote: 'every step of a workflow in an "Event History"', verified: true },
    ]);
    assert.deepEqual([verified, unverified], [1, 0]);
  });

  it('does not verify a quote from another source, a failed source, an unknown index or an empty quote', () => {
    const { points, verified, unverified } = checkGrounding(
      [
        {
          text: 'p',
          citations: [
            { source: 3, quote: 'Temporal records' },
            { source: 2, quote: 'anything' },
            { source: 5, quote: 'Second' },
            { source: 3, quote: '   ' },
          ],
        },
      ],
      texts,
    );
    assert.deepEqual(
      points[0]?.citations.map((c) => c.verified),
      [false, false, false, false],
    );
    assert.deepEqual([verified, unverified], [0, 4]);
  });

  it('calls a draft poorly grounded when more than half its quotes, or all of none, are unverified', () => {
    assert.equal(isPoorlyGrounded({ verified: 1, unverified: 2 }), true);
    assert.equal(isPoorlyGrounded({ verified: 2, unverified: 2 }), false);
    assert.equal(isPoorlyGrounded({ verified: 3, unverified: 0 }), false);
    assert.equal(isPoorlyGrounded({ verified: 0, unverified: 0 }), true);
  });
});
