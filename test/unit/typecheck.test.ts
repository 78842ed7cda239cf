// The whole project type-checks under the strict tsconfig.
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

test('tsc --noEmit passes on the whole project', () => {
  let output = '';
  try {
    execFileSync('npx', ['tsc', '-p', '.', '--noEmit'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  expect(output).toBe('');
});
