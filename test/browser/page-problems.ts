// Runs report-checks.js (a plain browser script) in an open page and returns what it found: the
// axes and texts it checked and one line per problem (unlabelled axis, unit missing, SI prefix on a
// ratio tick, overlapping or cut-off text). Kept in JavaScript so the project's types stay free of DOM.
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';

export interface PageProblems {
  axes: number;
  texts: number;
  problems: string[];
}

const checks = resolve(import.meta.dirname, 'report-checks.js');

export async function pageProblems(page: Page): Promise<PageProblems> {
  await page.addScriptTag({ path: checks });
  return page.evaluate(() =>
    (globalThis as unknown as { alrflowPageProblems: () => PageProblems }).alrflowPageProblems(),
  );
}
