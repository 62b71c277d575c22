#!/usr/bin/env node
// Writes a deterministic, real-shaped docker-archive image for benchmarks: 14 layers grown the
// way a Dockerfile grows an application image, ~2 GiB of file bytes at --scale 1.
//
//   node scripts/synth-real-image.mjs [OUT.tar] [--scale F] [--seed S] [--layers N]
//
// OUT defaults to .bench/real-2g.v2.tar (.bench/real-2g@F.v2.tar at another scale). --scale multiplies
// every file count and every size (at least one file per group), so tests and development can
// write a small one (--scale 0.01 is ~20 MiB). --layers N writes the image as it was after its
// first N layers (an older version of it, to compare with). The same arguments always give the
// same bytes.
//
// The layers:
//   L0  ADD rootfs: a Debian-like base (merged /usr, packages of binaries, libraries, docs,
//       dpkg lists, a few hard links and symlinks)
//   L1  apt-get install of build tools: thousands of small package files, apt lists and caches,
//       the dpkg status and logs overwritten
//   L2  apt-get install of runtime libraries && rm -rf /var/lib/apt/lists/* (one whiteout per list)
//   L3  COPY of an SDK tree (~250 MB)
//   L4  cp -a of that tree (same bytes, modes and times at a new path)
//   L5  rm -rf of the copy (one directory whiteout)
//   L6  COPY package.json package-lock.json
//   L7  npm ci: ~28k small files under node_modules (deep paths, some past 100 bytes) and an npm cache
//   L8  COPY of the application source
//   L9  chown -R 1000:1000 /srv/app: every file and directory under it again, identical content
//   L10 three model files of 100 MB and more
//   L11 the same three files overwritten with new content
//   L12 pip install: site-packages with sources and __pycache__
//   L13 apt-get purge && upgrade && cleanup: whiteouts of purged package files, one base package
//       in thirty upgraded (its files rewritten), /var/cache/apt removed and recreated (an opaque
//       directory), /tmp emptied, dpkg status overwritten
//
// Content: binaries are AES-CTR keystream (incompressible, ~1 GB/s to generate), text files the
// same keystream mapped to printable characters with line breaks (compressible about 4:1 like
// source code is not, but 6 bits per byte: gzip gets roughly 25%). A file's bytes depend only on
// its content key, so a copy or a chown writes the identical bytes again. The package databases
// are written as their managers write them, so reading them costs what it costs on a real image:
// dpkg's status (a stanza per installed package, rewritten by every apt layer), each package's
// `.list` and `.md5sums`, a `package.json` in every node_modules package, and a `.dist-info`
// (METADATA, RECORD) per pip package.
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Seeded PRNG (mulberry32): a float in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The layer plan and its tar writer; `scale` and `seed` fix every byte. */
export function planImage({ scale = 1, seed = 1 } = {}) {
  const rnd = prng(seed * 2654435761);
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const n = (x) => Math.max(1, Math.round(x * scale));
  const MB = 1e6;
  const syll = ['lib', 'gnu', 'core', 'xml', 'ssl', 'net', 'zip', 'py', 'perl', 'tcl', 'curl', 'x11', 'gtk', 'db', 'sql', 'icu', 'ffi', 'gmp', 'mpc', 'bz', 'lz', 'uuid', 'cap', 'acl', 'attr', 'pam', 'krb', 'ldap', 'sasl', 'idn', 'tls', 'png', 'jpeg', 'tiff', 'web', 'font', 'pango', 'cairo', 'dbus', 'udev'];
  const words = ['index', 'util', 'core', 'main', 'types', 'parser', 'lexer', 'stream', 'buffer', 'client', 'server', 'config', 'errors', 'helpers', 'compat', 'legacy', 'async', 'sync', 'worker', 'cache', 'schema', 'model', 'view', 'router', 'store', 'plugin', 'loader', 'format', 'encode', 'decode'];
  const uniq = new Set();
  const name = (parts) => {
    for (;;) {
      const s = Array.from({ length: parts }, () => pick(syll)).join('') + (rnd() < 0.5 ? String(int(0, 99)) : '');
      if (!uniq.has(s)) {
        uniq.add(s);
        return s;
      }
    }
  };
  /** Sizes summing to ~`bytes`, long-tailed (log-normal, sigma 1.6, capped at 60× the mean). */
  const sizes = (count, bytes) => {
    const w = [];
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      const x = Math.min(60, Math.exp(1.6 * z - 1.28));
      w.push(x);
      sum += x;
    }
    return w.map((x) => Math.round((x / sum) * bytes));
  };

  let contentSeq = 0;
  const newKey = () => `c${++contentSeq}`;
  /** Live files of the image so far: path → entry (for copies, chowns, overwrites, deletions). */
  const live = new Map();
  const layers = [];
  const history = [];
  let cur;
  const T0 = 1700000000;
  const begin = (createdBy) => {
    cur = { entries: new Map(), createdBy, mtime: T0 + layers.length * 3600 };
    layers.push(cur);
    history.push({ created: new Date((T0 + layers.length * 3600) * 1000).toISOString(), created_by: createdBy });
  };
  const empty = (createdBy) => history.push({ created: new Date((T0 + layers.length * 3600) * 1000).toISOString(), created_by: createdBy, empty_layer: true });
  const put = (e) => {
    cur.entries.set(e.path, e);
    if (e.type === 'wh') return;
    live.set(e.path, e);
  };
  const file = (p, size, kind = 'bin', extra = {}) => put({ path: p, type: 'file', size, kind, key: newKey(), mode: 0o644, uid: 0, gid: 0, mtime: cur.mtime, ...extra });
  /** A file whose bytes are given (a package database). */
  const literal = (p, text, extra = {}) => {
    const data = Buffer.from(text, 'utf8');
    put({ path: p, type: 'file', size: data.length, kind: 'literal', data, key: newKey(), mode: 0o644, uid: 0, gid: 0, mtime: cur.mtime, ...extra });
  };
  /** A stable fake digest of a path (what an md5sums or RECORD line holds). */
  const digestOf = (algo, p) => createHash(algo).update(`${seed}/${p}`).digest(algo === 'md5' ? 'hex' : 'base64url');
  const sentence = (k) => Array.from({ length: k }, () => pick(words)).join(' ');
  const symlink = (p, target) => put({ path: p, type: 'symlink', target, mode: 0o777, uid: 0, gid: 0, mtime: cur.mtime, size: 0 });
  const hardlink = (p, target) => put({ path: p, type: 'hardlink', target, mode: 0o755, uid: 0, gid: 0, mtime: cur.mtime, size: 0 });
  /** Deletes one path with a whiteout: a file, or (`dir`) a directory with everything under it. */
  const remove = (p, dir = false) => {
    const d = path.posix.dirname(p);
    const wh = `${d === '.' ? '' : `${d}/`}.wh.${path.posix.basename(p)}`;
    cur.entries.set(wh, { path: wh, type: 'wh', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: cur.mtime });
    live.delete(p);
    if (dir) for (const k of [...live.keys()]) if (k.startsWith(`${p}/`)) live.delete(k);
  };
  const under = (dir) => [...live.values()].filter((e) => e.path.startsWith(`${dir}/`));

  /** dpkg's installed packages, by name: what its status file lists. */
  const installed = new Map();
  /** Each dpkg package's paths (plan items), for an upgrade that rewrites them. */
  const pkgPlan = new Map();
  /** A package's `.list` and `.md5sums`, as dpkg writes them for its paths and version. */
  const dpkgLists = (pkg, own, version) => {
    const dirs = new Set();
    for (const x of own) for (let d = path.posix.dirname(x.p); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
    const listed = ['/.', ...[...dirs].sort().map((d) => `/${d}`), ...own.map((x) => `/${x.p}`)];
    literal(`var/lib/dpkg/info/${pkg}.list`, `${listed.join('\n')}\n`);
    literal(`var/lib/dpkg/info/${pkg}.md5sums`, own.filter((x) => !x.link).map((x) => `${digestOf('md5', `${x.p}@${version}`)}  ${x.p}\n`).join(''));
  };
  /** A Debian-like package: library, maybe a binary, docs, man page, data and dpkg lists. */
  const pkgFiles = (budgetFiles, budgetBytes, opts = {}) => {
    const plan = [];
    const pkgs = [];
    const versions = new Map();
    while (plan.length < budgetFiles) {
      const pkg = name(int(1, 2));
      pkgs.push(pkg);
      const v = `${int(0, 9)}.${int(0, 20)}.${int(0, 9)}`;
      versions.set(pkg, `${v}-${int(1, 9)}`);
      const so = `usr/lib/x86_64-linux-gnu/lib${pkg}.so.${v}`;
      plan.push({ p: so, kind: 'bin', mode: 0o644, pkg, weight: 4 });
      plan.push({ p: `usr/lib/x86_64-linux-gnu/lib${pkg}.so.${v.split('.')[0]}`, link: `lib${pkg}.so.${v}`, pkg });
      if (rnd() < 0.4) plan.push({ p: `usr/bin/${pkg}`, kind: 'bin', mode: 0o755, pkg, weight: 2 });
      plan.push({ p: `usr/share/doc/${pkg}/copyright`, kind: 'text', pkg, weight: 0.2 });
      plan.push({ p: `usr/share/doc/${pkg}/changelog.Debian.gz`, kind: 'bin', pkg, weight: 0.3 });
      if (rnd() < 0.6) plan.push({ p: `usr/share/man/man1/${pkg}.1.gz`, kind: 'bin', pkg, weight: 0.1 });
      // About sixty files a package, as Debian's have (a debootstrapped bookworm: 88 packages,
      // 5329 files): the status file and the lists then have the length a real image's have.
      const data = int(20, 90);
      for (let i = 0; i < data; i++) plan.push({ p: `usr/share/${pkg}/${pick(words)}${i}.${pick(['dat', 'xml', 'txt', 'conf', 'mo'])}`, kind: rnd() < 0.5 ? 'text' : 'bin', pkg, weight: 1 });
      if (opts.python && rnd() < 0.5) for (let i = 0; i < int(2, 15); i++) plan.push({ p: `usr/lib/python3/dist-packages/${pkg}/${pick(words)}${i}.py`, kind: 'text', pkg, weight: 0.4 });
      plan.push({ p: `var/lib/dpkg/info/${pkg}.list`, kind: 'text', pkg, weight: 0.05 });
      plan.push({ p: `var/lib/dpkg/info/${pkg}.md5sums`, kind: 'text', pkg, weight: 0.05 });
    }
    const isDb = (x) => x.p.startsWith('var/lib/dpkg/info/');
    const files = plan.filter((x) => !x.link && !isDb(x));
    const raw = sizes(files.length, budgetBytes).map((s, i) => s * (files[i].weight ?? 1) ** 0.5);
    const k = budgetBytes / (raw.reduce((a, b) => a + b, 0) || 1);
    let i = 0;
    const byPkg = new Map();
    for (const x of plan) {
      if (isDb(x)) continue;
      if (x.link) symlink(x.p, x.link);
      else file(x.p, Math.round(raw[i++] * k), x.kind, { mode: x.mode ?? 0o644 });
      let list = byPkg.get(x.pkg);
      if (!list) byPkg.set(x.pkg, (list = []));
      list.push(x);
    }
    // What dpkg writes per package: every path it installed (directories first, as unpacked) and
    // the md5 of each regular file.
    for (const pkg of pkgs) {
      const own = byPkg.get(pkg) ?? [];
      pkgPlan.set(pkg, own);
      dpkgLists(pkg, own, versions.get(pkg));
      const bytes = own.reduce((n, x) => n + (live.get(x.p)?.size ?? 0), 0);
      installed.set(pkg, { version: versions.get(pkg), kb: Math.max(1, Math.ceil(bytes / 1024)), section: pick(['libs', 'utils', 'devel', 'admin', 'python', 'net']) });
    }
    return pkgs;
  };
  /** dpkg's status file: a stanza per installed package, as dpkg writes it. */
  let lastStatus = '';
  const statusText = () =>
    [...installed]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([pkg, x]) =>
        [
          `Package: ${pkg}`,
          'Status: install ok installed',
          'Priority: optional',
          `Section: ${x.section}`,
          `Installed-Size: ${x.kb}`,
          `Maintainer: Debian ${pkg} Maintainers <pkg-${pkg}@lists.alioth.debian.org>`,
          'Architecture: amd64',
          `Version: ${x.version}`,
          `Depends: libc6 (>= 2.34), lib${pick(syll)}${int(1, 9)} (>= ${int(1, 3)}.${int(0, 9)})`,
          `Description: ${sentence(int(3, 7))}`,
          ` ${sentence(int(8, 14))}`,
          ` ${sentence(int(8, 14))}`,
          ` .`,
          ` ${sentence(int(6, 12))}`,
          `Homepage: https://${pkg}.example.org/`,
          '',
        ].join('\n'),
      )
      .join('\n');
  /** dpkg's status, apt and debconf state: overwritten by every apt layer. */
  const dpkgState = (grow) => {
    const status = statusText();
    literal('var/lib/dpkg/status', status);
    literal('var/lib/dpkg/status-old', lastStatus || status);
    lastStatus = status;
    file('var/cache/debconf/config.dat', n(40_000 * grow), 'text');
    file('var/cache/debconf/templates.dat', n(900_000 * grow), 'text');
    file('var/log/dpkg.log', n(120_000 * grow), 'text');
    file('var/log/apt/history.log', n(20_000 * grow), 'text');
    file('var/log/apt/term.log', n(60_000 * grow), 'text');
  };

  // L0: base
  begin('/bin/sh -c #(nop) ADD file:5d5a3b5e8c2f0a1b9c7d6e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b in / ');
  for (const [l, t] of [['bin', 'usr/bin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64'], ['sbin', 'usr/sbin']]) symlink(l, t);
  for (const f of ['passwd', 'group', 'shadow', 'hostname', 'hosts', 'resolv.conf', 'os-release', 'debian_version', 'bash.bashrc', 'profile', 'nsswitch.conf', 'login.defs']) file(`etc/${f}`, int(20, 4000), 'text');
  const basePkgs = pkgFiles(n(5500), 80 * MB * scale);
  file('usr/bin/perl5.36.0', n(3_900_000), 'bin', { mode: 0o755 });
  hardlink('usr/bin/perl', 'usr/bin/perl5.36.0');
  dpkgState(1);
  empty('/bin/sh -c #(nop)  CMD ["bash"]');
  empty('/bin/sh -c #(nop)  ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8');

  // L1: build tools, with apt lists and caches left behind
  begin('/bin/sh -c apt-get update && apt-get install -y --no-install-recommends build-essential git curl ca-certificates pkg-config libssl-dev');
  const listSizes = sizes(n(40), 45 * MB * scale);
  listSizes.forEach((s, i) => file(`var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_${pick(['main', 'contrib', 'non-free'])}_binary-amd64_Packages.${i}`, s, 'text'));
  file('var/lib/apt/lists/lock', 0, 'bin');
  file('var/cache/apt/pkgcache.bin', n(20 * MB), 'bin');
  file('var/cache/apt/srcpkgcache.bin', n(20 * MB), 'bin');
  const buildPkgs = pkgFiles(n(15000), 175 * MB * scale);
  file('usr/bin/gcc-12', n(1_200_000), 'bin', { mode: 0o755 });
  hardlink('usr/bin/x86_64-linux-gnu-gcc-12', 'usr/bin/gcc-12');
  dpkgState(1.5);

  // L2: runtime libraries, lists removed
  begin('/bin/sh -c apt-get install -y --no-install-recommends python3 python3-venv libpq5 libxml2 && rm -rf /var/lib/apt/lists/*');
  pkgFiles(n(9000), 140 * MB * scale, { python: true });
  for (const e of under('var/lib/apt/lists')) remove(e.path);
  dpkgState(1.8);

  // L3–L5: an SDK tree, copied with cp -a, the copy removed in the next layer
  begin('/bin/sh -c #(nop) COPY dir:0f3c4a1b2d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a in /opt/sdk ');
  {
    const count = n(4000);
    const sz = sizes(count, 250 * MB * scale);
    const dirs = Array.from({ length: Math.max(1, Math.round(count / 25)) }, (_, i) => `opt/sdk/${pick(['lib', 'share', 'tools', 'include', 'plugins'])}/${name(1)}${i}`);
    for (let i = 0; i < count; i++) {
      const bin = rnd() < 0.6;
      file(`${pick(dirs)}/${pick(words)}_${i}.${bin ? pick(['so', 'jar', 'bin', 'pak']) : pick(['h', 'json', 'xml', 'properties'])}`, sz[i], bin ? 'bin' : 'text', { mode: bin && rnd() < 0.3 ? 0o755 : 0o644, uid: 0, gid: 0 });
    }
    for (let i = 0; i < Math.min(count, 10); i++) file(`opt/sdk/bin/tool${i}`, Math.round(int(10_000, 400_000) * scale), 'bin', { mode: 0o755 });
  }
  begin('/bin/sh -c cp -a /opt/sdk /opt/sdk.orig');
  for (const e of under('opt/sdk')) put({ ...e, path: `opt/sdk.orig/${e.path.slice('opt/sdk/'.length)}` });
  begin('/bin/sh -c rm -rf /opt/sdk.orig');
  remove('opt/sdk.orig', true);

  // L6–L8: the application
  empty('/bin/sh -c #(nop) WORKDIR /srv/app');
  empty('/bin/sh -c #(nop)  ENV NODE_ENV=production');
  begin('/bin/sh -c #(nop) COPY multi:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b in ./ ');
  file('srv/app/package.json', n(3000), 'text');
  file('srv/app/package-lock.json', n(900_000), 'text');
  begin('/bin/sh -c npm ci --omit=dev');
  {
    const count = n(28000);
    const sz = sizes(count, 170 * MB * scale);
    const mods = [];
    for (let i = 0; i < Math.max(1, Math.round(count / 14)); i++) {
      const m = rnd() < 0.2 ? `@${name(1)}/${name(1)}` : `${name(1)}-${pick(words)}`;
      const nested = rnd() < 0.25 && mods.length ? `${pick(mods)}/node_modules/${m}` : m;
      mods.push(nested);
    }
    for (let i = 0; i < count; i++) {
      const m = pick(mods);
      const deep = rnd() < 0.3 ? `${pick(['lib', 'dist', 'build', 'src'])}/${pick(['cjs', 'esm', 'types', 'internal'])}/${pick(words)}/` : '';
      file(`srv/app/node_modules/${m}/${deep}${pick(words)}-${i}.${pick(['js', 'js', 'js', 'mjs', 'd.ts', 'map', 'json', 'md'])}`, sz[i], rnd() < 0.9 ? 'text' : 'bin');
    }
    // Every package's manifest, as npm installs it.
    for (const m of mods) {
      const pkgName = m.split('/node_modules/').pop();
      // Dependency names need not be unique (the pool of unique one-syllable names is ~4000).
      const deps = Object.fromEntries(Array.from({ length: int(0, 4) }, () => [`${pick(syll)}${int(0, 99)}-${pick(words)}`, `^${int(0, 9)}.${int(0, 20)}.${int(0, 9)}`]));
      const manifest = {
        name: pkgName,
        version: `${int(0, 9)}.${int(0, 30)}.${int(0, 20)}`,
        description: sentence(int(4, 10)),
        main: 'index.js',
        types: 'index.d.ts',
        license: pick(['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause']),
        repository: { type: 'git', url: `git+https://github.com/${pkgName.replace('@', '').replace('/', '-')}/${pkgName.split('/').pop()}.git` },
        keywords: Array.from({ length: int(0, 6) }, () => pick(words)),
        dependencies: deps,
        engines: { node: `>=${int(10, 20)}` },
      };
      literal(`srv/app/node_modules/${m}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    }
    const cache = n(2000);
    const cs = sizes(cache, 30 * MB * scale);
    for (let i = 0; i < cache; i++) {
      const h = createHash('sha1').update(`${seed}/${i}`).digest('hex');
      file(`root/.npm/_cacache/content-v2/sha512/${h.slice(0, 2)}/${h.slice(2, 4)}/${h.slice(4)}`, cs[i], 'bin');
    }
  }
  begin('/bin/sh -c #(nop) COPY dir:1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c in ./ ');
  {
    const count = n(1500);
    const sz = sizes(count, 25 * MB * scale);
    const dirs = Array.from({ length: Math.max(1, Math.round(count / 12)) }, (_, i) => `srv/app/${pick(['src', 'src/lib', 'src/routes', 'public', 'test', 'assets'])}/${pick(words)}${i}`);
    for (let i = 0; i < count; i++) file(`${pick(dirs)}/${pick(words)}.${pick(['ts', 'js', 'css', 'json', 'svg', 'png'])}`, sz[i], rnd() < 0.85 ? 'text' : 'bin');
  }
  begin('/bin/sh -c chown -R 1000:1000 /srv/app');
  for (const e of under('srv/app')) put({ ...e, uid: 1000, gid: 1000 });
  put({ path: 'srv/app', type: 'dir', mode: 0o755, uid: 1000, gid: 1000, mtime: cur.mtime, size: 0 });

  // L10–L11: large files, then all of them overwritten
  const models = [
    ['opt/models/encoder.bin', 130 * MB],
    ['opt/models/decoder.bin', 110 * MB],
    ['var/lib/app/seed.db', 100 * MB],
  ];
  begin('/bin/sh -c curl -fsSL -o /opt/models/encoder.bin https://example.invalid/encoder.bin && curl -fsSL -o /opt/models/decoder.bin https://example.invalid/decoder.bin && /opt/sdk/bin/tool0 seed /var/lib/app/seed.db');
  for (const [p, s] of models) file(p, Math.round(s * scale), 'bin');
  begin('/bin/sh -c /opt/sdk/bin/tool1 update-models && /opt/sdk/bin/tool0 migrate /var/lib/app/seed.db');
  for (const [p, s] of models) file(p, Math.round(s * scale * (1 + (rnd() - 0.5) * 0.05)), 'bin');

  // L12: pip install
  begin('/bin/sh -c pip install --no-cache-dir -r requirements.txt');
  {
    const count = n(6000);
    const sz = sizes(count, 90 * MB * scale);
    const pkgs = Array.from({ length: Math.max(1, Math.round(count / 40)) }, () => name(1));
    const site = 'usr/local/lib/python3.11/site-packages';
    const owned = new Map(pkgs.map((pk) => [pk, []]));
    for (let i = 0; i < count; i++) {
      const pk = pick(pkgs);
      const w = pick(words);
      const pyc = rnd() < 0.4;
      const rel = `${pk}/${pyc ? '__pycache__/' : ''}${w}${i}.${pyc ? 'cpython-311.pyc' : pick(['py', 'py', 'so', 'pyi'])}`;
      file(`${site}/${rel}`, sz[i], pyc ? 'bin' : 'text');
      owned.get(pk).push([rel, sz[i]]);
    }
    // What pip writes beside each project: its metadata and the record of every file it installed.
    for (const pk of pkgs) {
      const version = `${int(0, 5)}.${int(0, 30)}.${int(0, 9)}`;
      const info = `${pk}-${version}.dist-info`;
      literal(`${site}/${info}/METADATA`, `Metadata-Version: 2.1\nName: ${pk}\nVersion: ${version}\nSummary: ${sentence(int(4, 9))}\nHome-page: https://${pk}.example.org/\nLicense: MIT\nRequires-Python: >=3.8\n\n${sentence(int(20, 60))}\n`);
      literal(`${site}/${info}/INSTALLER`, 'pip\n');
      const record = [...owned.get(pk).map(([rel, size]) => `${rel},sha256=${digestOf('sha256', rel)},${size}`), `${info}/METADATA,,`, `${info}/INSTALLER,,`, `${info}/RECORD,,`];
      literal(`${site}/${info}/RECORD`, `${record.join('\n')}\n`);
    }
  }

  // L13: purge build tools and clean up
  empty('/bin/sh -c #(nop)  USER 1000:1000');
  begin('/bin/sh -c apt-get purge -y build-essential pkg-config libssl-dev && apt-get autoremove -y && apt-get upgrade -y && rm -rf /var/cache/apt && mkdir -p /var/cache/apt && rm -rf /tmp/*');
  {
    // apt-get upgrade: one base package in thirty gets a new revision, its files rewritten.
    for (const pkg of basePkgs.filter((_, i) => i % 30 === 7)) {
      const x = installed.get(pkg);
      const version = x.version.replace(/-(\d+)$/, (_, r) => `-${Number(r) + 1}`);
      const own = pkgPlan.get(pkg);
      for (const f of own) if (!f.link) file(f.p, Math.round((live.get(f.p)?.size ?? 0) * (1 + rnd() * 0.2)), f.kind, { mode: f.mode ?? 0o644 });
      dpkgLists(pkg, own, version);
      installed.set(pkg, { ...x, version });
    }
    // Whole package directories go with one whiteout each; files in shared directories one by one.
    const purge = new Set(buildPkgs.filter((_, i) => i % 3 !== 2));
    for (const p of purge) installed.delete(p);
    const gone = new Set();
    for (const e of [...live.values()]) {
      const m = /^usr\/share\/(?:doc\/)?([^/]+)\//.exec(e.path);
      if (m && purge.has(m[1])) {
        gone.add(e.path.slice(0, m[0].length - 1));
        continue;
      }
      const b = path.posix.basename(e.path);
      const pk = /^lib(.+)\.so\./.exec(b)?.[1] ?? /^(.+)\.(?:list|md5sums|1\.gz)$/.exec(b)?.[1] ?? (e.path.startsWith('usr/bin/') ? b : undefined);
      if (pk && purge.has(pk)) remove(e.path);
    }
    for (const d of gone) remove(d);
    for (const k of [...live.keys()]) {
      const m = /^usr\/share\/(?:doc\/)?[^/]+/.exec(k);
      if (m && gone.has(m[0])) live.delete(k);
    }
    for (const e of under('var/cache/apt')) live.delete(e.path);
    put({ path: 'var/cache/apt/.wh..wh..opq', type: 'wh', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: cur.mtime });
    put({ path: 'var/cache/apt/archives/partial', type: 'dir', mode: 0o700, uid: 0, gid: 0, mtime: cur.mtime, size: 0 });
    dpkgState(1.2);
    file('etc/ld.so.cache', n(60_000), 'bin');
  }
  empty('/bin/sh -c #(nop)  CMD ["node","server.js"]');
  return { layers, history, basePkgs };
}

/** Writes the image as a docker-archive (legacy `NNN/layer.tar` members); returns its summary. */
export function writeImage(out, { scale = 1, seed = 1, upTo, log = () => {} } = {}) {
  const plan = planImage({ scale, seed });
  // `upTo`: only the first layers, as the image was before the later steps (its history cut there too).
  const layers = upTo === undefined ? plan.layers : plan.layers.slice(0, upTo);
  let kept = 0;
  const history = upTo === undefined ? plan.history : plan.history.filter((h) => (h.empty_layer ? kept < upTo : ++kept <= upTo));
  const key = createHash('sha256').update(`synth-real-image/${seed}`).digest().subarray(0, 16);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let pos = 0;
  const BUF = 4 << 20;
  let buf = Buffer.allocUnsafe(BUF);
  let used = 0;
  let hash; // the running layer's sha256, when inside a layer
  const flush = () => {
    if (used) {
      writeSync(fd, buf, 0, used, pos);
      pos += used;
      used = 0;
    }
  };
  const emit = (b) => {
    if (hash) hash.update(b);
    if (b.length > BUF / 2) {
      flush();
      writeSync(fd, b, 0, b.length, pos);
      pos += b.length;
      return;
    }
    if (used + b.length > BUF) flush();
    b.copy(buf, used);
    used += b.length;
  };
  const zeros = Buffer.alloc(1 << 20);
  const pad = (size) => {
    const r = size % 512;
    if (r) emit(zeros.subarray(0, 512 - r));
  };
  const TEXT = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _\n(){}.,;=+-*/"\'<>:[]', 'latin1');
  const body = (e) => {
    if (e.data) return emit(e.data);
    const iv = createHash('sha256').update(e.key).digest().subarray(0, 16);
    const c = createCipheriv('aes-128-ctr', key, iv);
    let left = e.size;
    while (left > 0) {
      const take = Math.min(left, zeros.length);
      const b = c.update(zeros.subarray(0, take));
      if (e.kind === 'text') for (let i = 0; i < b.length; i++) b[i] = TEXT[b[i] % 80];
      emit(b);
      left -= take;
    }
  };

  const header = (h) => {
    const b = Buffer.alloc(512);
    const str = (s, off, len) => b.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8');
    const oct = (v, off, len) => str(v.toString(8).padStart(len - 1, '0'), off, len - 1);
    str(h.name, 0, 100);
    oct(h.mode, 100, 8);
    oct(h.uid, 108, 8);
    oct(h.gid, 116, 8);
    oct(h.size, 124, 12);
    oct(h.mtime, 136, 12);
    b.fill(0x20, 148, 156);
    b[156] = h.type.charCodeAt(0);
    if (h.linkname) str(h.linkname, 157, 100);
    str('ustar\0', 257, 6);
    str('00', 263, 2);
    str(h.uid === 0 ? 'root' : 'app', 265, 32);
    str(h.gid === 0 ? 'root' : 'app', 297, 32);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += b[i];
    str(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    return b;
  };
  /** One member: a PAX header first when the name or link does not fit ustar's fields. */
  const member = (h) => {
    let { name } = h;
    const long = Buffer.byteLength(name) > 100 || (h.linkname && Buffer.byteLength(h.linkname) > 100);
    if (long) {
      // A record is "LEN key=value\n", LEN counting its own digits.
      const rec = (k, v) => {
        const s = ` ${k}=${v}\n`;
        const base = Buffer.byteLength(s);
        let len = base + String(base).length;
        if (String(len).length !== String(base).length) len = base + String(len).length;
        return `${len}${s}`;
      };
      const pax = Buffer.from(rec('path', name) + (h.linkname && Buffer.byteLength(h.linkname) > 100 ? rec('linkpath', h.linkname) : ''), 'utf8');
      emit(header({ name: 'PaxHeader', mode: 0o644, uid: 0, gid: 0, size: pax.length, mtime: h.mtime, type: 'x' }));
      emit(pax);
      pad(pax.length);
      name = name.slice(0, 100);
    }
    emit(header({ ...h, name, linkname: h.linkname ? h.linkname.slice(0, 100) : '' }));
  };

  const diffIds = [];
  const names = [];
  let totalFiles = 0;
  for (let li = 0; li < layers.length; li++) {
    const L = layers[li];
    const memberName = `${String(li).padStart(3, '0')}${'0'.repeat(61)}/layer.tar`;
    flush();
    const headerAt = pos;
    pos += 512; // the outer header, written when the layer's size is known
    hash = createHash('sha256');
    const start = pos;
    // Parent directories first, then every entry in path order (as a tar of a directory walk).
    const ents = new Map();
    for (const e of L.entries.values()) {
      const parts = e.path.split('/');
      for (let k = 1; k < parts.length; k++) {
        const d = parts.slice(0, k).join('/');
        if (!ents.has(d) && !L.entries.has(d)) {
          const chowned = L.createdBy.includes('chown -R') && (d === 'srv/app' || d.startsWith('srv/app/'));
          ents.set(d, { path: d, type: 'dir', mode: 0o755, uid: chowned ? 1000 : 0, gid: chowned ? 1000 : 0, mtime: L.mtime, size: 0 });
        }
      }
      ents.set(e.path, e);
    }
    const sorted = [...ents.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let files = 0;
    for (const e of sorted) {
      const base = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, size: 0 };
      if (e.type === 'dir') member({ ...base, name: `${e.path}/`, type: '5' });
      else if (e.type === 'symlink') member({ ...base, name: e.path, type: '2', linkname: e.target });
      else if (e.type === 'hardlink') member({ ...base, name: e.path, type: '1', linkname: e.target });
      else if (e.type === 'wh') member({ ...base, mode: 0o644, name: e.path, type: '0' });
      else {
        member({ ...base, name: e.path, size: e.size, type: '0' });
        body(e);
        pad(e.size);
        files++;
      }
    }
    emit(zeros.subarray(0, 1024));
    flush();
    const size = pos - start;
    diffIds.push(`sha256:${hash.digest('hex')}`);
    hash = undefined;
    writeSync(fd, header({ name: memberName, mode: 0o644, uid: 0, gid: 0, size, mtime: 0, type: '0' }), 0, 512, headerAt);
    pad(size);
    names.push(memberName);
    totalFiles += files;
    log(`L${li}: ${sorted.length} entries (${files} files), ${(size / 2 ** 20).toFixed(1)} MiB`);
  }
  const add = (nm, data) => {
    emit(header({ name: nm, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0, type: '0' }));
    emit(data);
    pad(data.length);
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: history[history.length - 1].created,
      config: { User: '1000:1000', Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'DEBIAN_FRONTEND=noninteractive', 'LANG=C.UTF-8', 'NODE_ENV=production'], Cmd: ['node', 'server.js'], WorkingDir: '/srv/app' },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history,
    }),
  );
  const cfgName = `${createHash('sha256').update(config).digest('hex')}.json`;
  add(cfgName, config);
  add('manifest.json', Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: ['bench/real:latest'], Layers: names }])));
  emit(zeros.subarray(0, 1024));
  flush();
  closeSync(fd);
  renameSync(tmp, out);
  return { layers: layers.length, files: totalFiles, bytes: pos };
}

/** The generator's version, in the default output's name: an image an older one wrote is not reused. 2: real package databases. */
const GENERATION = 2;

/** The default output for a scale: .bench/real-2g.v2.tar, or .bench/real-2g@SCALE.v2.tar. */
export function defaultOutput(scale = 1, seed = 1) {
  return path.join(root, '.bench', `real-2g${scale === 1 ? '' : `@${scale}`}${seed === 1 ? '' : `-s${seed}`}.v${GENERATION}.tar`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
  const scale = opt('--scale', 1);
  const seed = opt('--seed', 1);
  const upTo = opt('--layers', undefined);
  if (!(scale > 0) || !Number.isInteger(seed)) {
    console.error('usage: node scripts/synth-real-image.mjs [OUT.tar] [--scale F] [--seed N] [--layers N]');
    process.exit(2);
  }
  const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  const out = positional[0] ? path.resolve(positional[0]) : defaultOutput(scale, seed);
  const t = Date.now();
  const r = writeImage(out, { scale, seed, upTo, log: (s) => console.error(s) });
  console.error(`wrote ${path.relative(process.cwd(), out)}: ${r.layers} layers, ${r.files} files, ${(r.bytes / 2 ** 20).toFixed(0)} MiB in ${((Date.now() - t) / 1000).toFixed(1)}s`);
}
