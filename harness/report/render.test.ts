import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/types.ts';
import { prepareReport } from './prepare.ts';
import { embedJson, renderPage } from './render.ts';

const assets = { script: '/* page script */', css: '' };
const result = (valid: CheckResult['valid']): CheckResult => ({ valid, ops: 0, keys: 0, elapsedMs: 0, verdictMs: 0, failures: [], perKey: [] });

describe('renderPage', () => {
  it('flags a verdict that contradicts what the system claims', () => {
    const missed = renderPage(prepareReport([], result(true), { expected: 'not-linearizable' }), assets);
    expect(missed).toContain('did not catch it');
    const caught = renderPage(prepareReport([], result(false), { expected: 'not-linearizable' }), assets);
    expect(caught).toContain('catching it is the expected outcome');
    expect(caught).not.toContain('id="mismatch"');
    const violated = renderPage(prepareReport([], result(false), { expected: 'linearizable' }), assets);
    expect(violated).toContain('this is a real violation');
  });

  it('escapes user text and keeps embedded JSON from closing its script tag', () => {
    const html = renderPage(prepareReport([], result(true), { system: '<b>x</b>', command: 'a && b </script>' }), assets);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('a && b </script>');
    expect(embedJson({ s: '</script><script>alert(1)</script>' })).not.toMatch(/<\/script/i);
  });

  it('says so when the checker ran out of time', () => {
    expect(renderPage(prepareReport([], result('unknown')), assets)).toContain('ran out of time');
  });
});
