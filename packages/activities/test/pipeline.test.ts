import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  FAKE_ARTICLE,
  FAKE_SITE_SECRET,
  startFakeLlm,
  startFakeSite,
  type FakeLlm,
  type FakeSite,
} from '@research/testkit';
import { createActivities } from '../src/create-activities.js';
import { fetchConfig, llmConfig, mockEnvironment, runActivity } from './helpers.js';

describe('fetchSource then summarize', () => {
  let site: FakeSite;
  let llm: FakeLlm;
  before(async () => {
    [site, llm] = await Promise.all([startFakeSite(), startFakeLlm()]);
  });
  after(() => Promise.all([site.close(), llm.close()]));

  it('summarises the page text and never shows the LLM script or style content', async () => {
    const activities = createActivities({
      config: { fetch: fetchConfig(), llm: llmConfig(llm.url) },
      store: { save: async () => true },
    });
    const environment = mockEnvironment();
    const source = await runActivity(environment, activities.fetchSource, { url: `${site.url}/redirect` });
    const draft = await runActivity(environment, activities.summarize, {
      topic: 'durable execution',
      sourceUrl: source.finalUrl,
      title: source.title,
      text: source.text,
    });
    const sent = JSON.stringify(llm.calls);
    assert.ok(sent.includes(FAKE_ARTICLE.paragraph));
    assert.ok(!sent.includes(FAKE_SITE_SECRET), 'the secret marker reached the LLM');
    assert.ok(!draft.summary.includes(FAKE_SITE_SECRET));
    assert.match(draft.summary, new RegExp(FAKE_ARTICLE.title));
  });
});
