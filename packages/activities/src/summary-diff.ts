import { createHash } from 'node:crypto';
import type { DiffSummaryInput, SummaryEdit } from '@research/contracts';
import { createTwoFilesPatch } from 'diff';

const withFinalNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

/**
 * The record of a reviewer's edit: the LLM draft's sha256 as given, the sha256 of the edited summary (UTF-8), and a
 * unified diff (`--- draft`, `+++ edited`, three lines of context) from the draft's summary to the edited one.
 */
export function diffSummary({ draftSummary, draftSha256, editedSummary }: DiffSummaryInput): SummaryEdit {
  return {
    draftSha256,
    editedSha256: createHash('sha256').update(editedSummary, 'utf8').digest('hex'),
    diff: createTwoFilesPatch('draft', 'edited', withFinalNewline(draftSummary), withFinalNewline(editedSummary)),
  };
}
