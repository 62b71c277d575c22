/**
 * The report page's style sheet (inlined, allowed by its hash): system fonts only, light and
 * dark from `prefers-color-scheme`, names from the image isolated (`unicode-bidi: isolate`) and
 * wrapped anywhere so no name can reorder or widen what is around it.
 */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--bg:#fbfbfa;--fg:#1d1f21;--muted:#5d6670;--line:#d5d9de;--card:#fff;--accent:#1f5fbf;--focus:#d97706;
--pass:#1a7f37;--fail:#c62828;--skip:#6b7280;--added:#2e9e4f;--modified:#d4a017;--unmodified:#4f8fd6;--removed:#d64545;--none:#c9ced4;--grow:#d64545;--shrink:#2e9e4f;--hatch:#000}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e6e8eb;--muted:#9aa4ae;--line:#353a40;--card:#1d2024;--accent:#7fb0ff;--focus:#f5a524;
--pass:#4cc26b;--fail:#ff6b6b;--skip:#9ca3af;--added:#3fbf64;--modified:#e0b43a;--unmodified:#6aa6eb;--removed:#ef6262;--none:#3a4047;--grow:#ef6262;--shrink:#3fbf64;--hatch:#fff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
#app{max-width:1480px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}h3{font-size:14px;margin:14px 0 6px}
code,.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0;background:var(--card);border:1px solid var(--line);border-radius:4px;padding:6px 8px}
.name{unicode-bidi:isolate;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.noscript{padding:20px}
.subtitle{color:var(--muted);margin:0 0 12px;overflow-wrap:anywhere}
.verdict{display:inline-block;font-weight:600;border-radius:4px;padding:1px 8px;margin-left:8px;font-size:13px;vertical-align:middle}
.verdict.pass{background:var(--pass);color:#fff}.verdict.fail{background:var(--fail);color:#fff}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
.figure{overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:120px}
.figure .v{font-size:17px;font-weight:600}.figure .k{color:var(--muted);font-size:12px}
.tabs{display:flex;flex-wrap:wrap;gap:4px;margin:8px 0 12px}
button{font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:4px;padding:3px 10px;cursor:pointer}
button:hover{border-color:var(--accent)}
button[aria-pressed=true],button[aria-selected=true]{border-color:var(--accent);box-shadow:inset 0 0 0 1px var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:1px}
.map-area{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:16px;align-items:start}
@media (max-width:1000px){.map-area{grid-template-columns:minmax(0,1fr)}}
.crumbs{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin:0 0 6px;min-height:28px}
.crumbs button{max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.map-wrap{position:relative}
svg.map{display:block;width:100%;height:auto;background:var(--card);border:1px solid var(--line);border-radius:4px;user-select:none}
svg.map rect.leaf{stroke:var(--bg);stroke-width:.4;cursor:pointer}
svg.map rect.dir1{fill:none;stroke:var(--fg);stroke-width:1.2;pointer-events:none;stroke-opacity:.55}
svg.map rect.dir2{fill:none;stroke:var(--fg);stroke-width:.5;pointer-events:none;stroke-opacity:.35}
svg.map rect.hatch{pointer-events:none}
svg.map rect.hatch-line{fill:var(--hatch);fill-opacity:.55}
svg.map rect.item{fill:transparent;stroke:none;pointer-events:none}
svg.map rect.item:focus{outline:none;stroke:var(--focus);stroke-width:3}
svg.map text{font-size:11px;fill:var(--fg);pointer-events:none;paint-order:stroke;stroke:var(--card);stroke-width:3px;stroke-linejoin:round;unicode-bidi:isolate}
.tip{position:absolute;z-index:5;pointer-events:none;max-width:440px;background:var(--card);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:6px 9px;box-shadow:0 4px 14px rgba(0,0,0,.22);font-size:12.5px;overflow-wrap:anywhere}
.tip[hidden]{display:none}
.tip .path{font-weight:600;unicode-bidi:isolate;overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:6px 0;font-size:12.5px;color:var(--muted)}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:4px;border:1px solid var(--line)}
.sw.hatched{background:repeating-linear-gradient(45deg,transparent 0 3px,var(--fg) 3px 4px)}
.sw.c-added{background:var(--added)}.sw.c-modified{background:var(--modified)}.sw.c-unmodified{background:var(--unmodified)}.sw.c-removed{background:var(--removed)}.sw.c-none{background:var(--none)}
.sw.c-grow{background:var(--grow)}.sw.c-shrink{background:var(--shrink)}
.layers{list-style:none;margin:0;padding:0;max-height:640px;overflow:auto;border:1px solid var(--line);border-radius:4px;background:var(--card)}
.layers li{border-bottom:1px solid var(--line)}
.layers li:last-child{border-bottom:none}
.layers button{display:grid;grid-template-columns:14px 34px 70px minmax(0,1fr);gap:6px;width:100%;text-align:left;border:none;border-radius:0;background:transparent;padding:5px 8px;align-items:baseline}
.layers button[aria-pressed=true]{background:color-mix(in srgb,var(--accent) 14%,transparent);box-shadow:inset 3px 0 0 var(--accent)}
.layers .cmd{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;unicode-bidi:isolate;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.layers .chg{grid-column:3/5;color:var(--muted);font-size:12px}
.layers .sw{margin:0}
.layers button.all{display:block}
.layer-detail{overflow-wrap:anywhere;margin-top:10px;background:var(--card);border:1px solid var(--line);border-radius:4px;padding:8px 10px}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.path{overflow-wrap:anywhere;unicode-bidi:isolate;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.status-pass{color:var(--pass);font-weight:600}.status-fail{color:var(--fail);font-weight:600}.status-skip{color:var(--skip)}
.findings{display:grid;gap:10px}
.finding{overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.finding .head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.finding .bytes{font-weight:700;font-size:15px}
.finding .fix{margin-top:6px}.finding .fix b{color:var(--accent)}
.tag{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;font-size:12px;color:var(--muted)}
ul.paths{margin:4px 0;padding-left:18px}ul.paths li{overflow-wrap:anywhere;unicode-bidi:isolate}
.src{color:var(--accent)}
details summary{cursor:pointer}
.delta-pos{color:var(--grow)}.delta-neg{color:var(--shrink)}
ol.largest{margin:0;padding:6px 10px 6px 34px;background:var(--card);border:1px solid var(--line);border-radius:4px;font-size:12.5px}
ol.largest li{overflow-wrap:anywhere;padding:2px 0}
.totals{max-width:720px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`.trim();
