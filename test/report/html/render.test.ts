import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/core/analyze.js';
import { escapeHtml, imagesPage, imageView, renderHtmlReport, scriptSafeJson } from '../../../src/report/html/index.js';
import { buildAnalysis, dir, file } from '../../helpers/build-analysis.js';

const CLIENT = 'document.getElementById("app").textContent = "drawn";';

/** A page for an image whose names, command and reference are hostile. */
function hostilePage(): string {
  const names = ['<script>alert(1)<!--', '"><img src=x onerror=alert(2)>', 'a\u202eexe.txt', 'line\u2028sep', "it's & <b>"];
  const b = buildAnalysis(
    [{ command: 'echo "</script><script>alert(3)</script>" <!-- -->', entries: [dir('x'), ...names.map((n, i) => file(`x/${n}`, 10 + i))] }],
    {},
    'docker-archive:</script><script>alert(4)</script>.tar',
  );
  return renderHtmlReport(imagesPage([imageView(b, summarize(b))]), CLIENT);
}

describe('scriptSafeJson', () => {
  it.each([
    // [what, value]
    ['a closing script tag', '</script><script>alert(1)</script>'],
    ['a comment opener (script data escape state)', '<!-- <script>'],
    ['the line and paragraph separators', 'a\u2028b\u2029c'],
    ['ampersands and quotes', `&amp; "q" 'q'`],
    ['an upper-case end tag and a backslash before it', '\\</SCRIPT>'],
  ])('%s is written with escapes only, and reads back the same', (_what, value) => {
    const json = scriptSafeJson({ value });
    expect(json).not.toMatch(/<\/|<!|[\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual({ value });
  });
});

describe('the rendered page', () => {
  const page = hostilePage();

  it('has exactly its two script elements and its one style element, whatever the names', () => {
    // the names' markup is inert text inside the JSON block, which no name can end
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(json).toContain('"><img src=x onerror=alert(2)>');
    expect(json).not.toMatch(/<\/|<!/);
    const outside = page.replace(json, '');
    expect(outside.match(/<script/gi)).toHaveLength(2);
    expect(outside.match(/<\/script/gi)).toHaveLength(2);
    expect(outside.match(/<style/gi)).toHaveLength(1);
    expect(outside).not.toMatch(/<img|<!--|<b>/i);
  });

  it('forbids every request and allows its script and style only by their hash', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1]?.replace(/&#39;/g, "'");
    expect(csp).toBeDefined();
    const directives = Object.fromEntries(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    expect(directives['default-src']).toBe("'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:|\*/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    const script = page.slice(page.lastIndexOf('<script>') + '<script>'.length, page.lastIndexOf('</script>'));
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(script).toBe(CLIENT);
    expect(directives['script-src']).toBe(hash(script));
    expect(directives['style-src']).toBe(hash(style));
    // the policy comes before anything it governs
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<style>'));
  });

  it('keeps the data readable: the names come back exact (escaped for display) from the JSON block', () => {
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
    const data = JSON.parse(json);
    const names: string[] = data.images[0].tree.name;
    expect(names).toContain('"><img src=x onerror=alert(2)>');
    expect(names).toContain('a\\u202eexe.txt');
    expect(names).toContain('line\\u2028sep');
    expect(data.images[0].identity.reference).toBe('docker-archive:</script><script>alert(4)</script>.tar');
  });

  it('escapes the title', () => {
    expect(/<title>(.*)<\/title>/.exec(page)![1]).toBe('Image report: docker-archive:&#60;/script&#62;&#60;script&#62;alert(4)&#60;/script&#62;.tar');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('refuses a page script that could end its own element', () => {
    expect(() => renderHtmlReport(imagesPage([]), 'x = "</script>"')).toThrow(/cannot be inlined/);
  });
});
