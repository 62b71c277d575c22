import hljs from 'highlight.js/lib/core';
import { common } from 'lowlight';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, languageNamed } from '../../src/viewmodel/highlight-languages.js';
import { indexTextWindow, languageFor, loadHighlighter } from '../../src/viewmodel/viewer-text.js';

type Mode = { subLanguage?: string | string[]; contains?: unknown; variants?: unknown; starts?: unknown };

/** The languages a grammar highlights inside it (`subLanguage`), anywhere in its modes. */
function embedded(def: Mode): Set<string> {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (m: unknown) => {
    if (!m || typeof m !== 'object' || seen.has(m)) return;
    seen.add(m);
    if (Array.isArray(m)) return m.forEach(walk);
    const mode = m as Mode;
    for (const s of [mode.subLanguage ?? []].flat()) out.add(s);
    walk(mode.contains);
    walk(mode.variants);
    walk(mode.starts);
  };
  walk(def);
  return out;
}

describe('the highlighted languages', () => {
  it("are lowlight's common set, with highlight.js's own aliases and the embedded languages each loads with it", async () => {
    expect(Object.keys(LANGUAGES).sort()).toEqual(Object.keys(common).sort());
    for (const [name, grammar] of Object.entries(common)) {
      const def = grammar(hljs) as Mode & { aliases?: string[] };
      expect(LANGUAGES[name]!.aliases, name).toEqual(def.aliases ?? []);
      const inCommon = [...embedded(def)].filter((l) => l in common && l !== name).sort();
      expect([...(LANGUAGES[name]!.uses ?? [])].sort(), name).toEqual(inCommon);
      // and the loader brings the very grammar lowlight's common set holds
      expect((await LANGUAGES[name]!.load()).default, name).toBe(grammar);
    }
  });

  it('names a file by extension or alias, and nothing for what it does not highlight', () => {
    expect(languageNamed('mjs')).toBe('javascript');
    expect(languageNamed('YML')).toBe('yaml');
    expect(languageFor('/app/main.py')).toBe('python');
    expect(languageFor('/etc/nginx/site.conf')).toBeUndefined();
    expect(languageFor('/Dockerfile')).toBe('bash');
    expect(languageFor('/notes.txt')).toBeUndefined();
  });

  it('loads a language on its first use: text stays plain until then, and other languages stay unloaded', async () => {
    const w = { offset: 0, bytes: Buffer.from('def f():\n    return 1\n'), size: 23, linesBefore: 0 };
    const styled = () => indexTextWindow(w, 'python').lines.flatMap((l) => l.segments).some((s) => s.style === 'code-keyword');
    expect(styled()).toBe(false);
    await loadHighlighter('python');
    expect(styled()).toBe(true);
    // ruby was never asked for: its text is plain
    const rb = { offset: 0, bytes: Buffer.from('def f\n  1\nend\n'), size: 14, linesBefore: 0 };
    expect(indexTextWindow(rb, 'ruby').lines.flatMap((l) => l.segments).some((s) => s.style)).toBe(false);
    // a language it does not know loads nothing and never rejects
    await expect(loadHighlighter('klingon')).resolves.toBeUndefined();
  });

  it('loads a language whose embedded languages embed it back (typescript → xml → javascript → xml), with every one it embeds', async () => {
    // A loader that followed `uses` before remembering the language recursed until the stack ran out.
    await loadHighlighter('typescript');
    const html = { offset: 0, bytes: Buffer.from('const a = 1;\n'), size: 13, linesBefore: 0 };
    expect(indexTextWindow(html, 'typescript').lines.flatMap((l) => l.segments).some((s) => s.style === 'code-keyword')).toBe(true);
    const xml = { offset: 0, bytes: Buffer.from('<script>const a = 1;</script>\n'), size: 30, linesBefore: 0 };
    // xml came with it, and its script content is highlighted as javascript
    expect(indexTextWindow(xml, 'xml').lines.flatMap((l) => l.segments).filter((s) => s.style === 'code-keyword').map((s) => s.text)).toContain('const');
    for (const name of Object.keys(LANGUAGES)) await expect(loadHighlighter(name), name).resolves.toBeUndefined();
  });
});
