// histories/examples: the file name states the verdict (ok-* / bad-*), and the checker must agree.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './corpus-path.ts';
import { checkHistory, loadHistoryFile } from './index.ts';

const dir = join(repoRoot, 'histories', 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));

describe('example histories', () => {
  it('has known-good and known-bad examples', () => {
    expect(files.some((f) => f.startsWith('ok-'))).toBe(true);
    expect(files.some((f) => f.startsWith('bad-'))).toBe(true);
  });
  it.each(files)('%s', async (file) => {
    const h = loadHistoryFile(join(dir, file));
    const result = await checkHistory(h.events, { initialValue: h.initialValue });
    expect(result.valid).toBe(file.startsWith('ok-'));
  });
});
