#!/usr/bin/env node
// npm run build:image: the build context of the container image (Containerfile, FROM scratch),
// dist/image/, prepared from this host so that no base image is pulled:
//
//   rootfs/usr/local/bin/inspect-tui      the single executable (npm run build:sea first)
//   rootfs/lib…, rootfs/usr/lib…           the shared libraries it loads, as `ldd` lists them
//                                          (libc, libm, libstdc++, libgcc_s, the dynamic loader…)
//   rootfs/etc/ssl/certs/ca-certificates.crt   this host's CA bundle, for registries over TLS
//   rootfs/tmp/                            mode 1777
//   rootfs/usr/share/doc/inspect-tui/      the licences: the program's, its bundled packages',
//                                          Node.js's, and the copyright files of the libraries'
//                                          Debian packages (when the host is Debian)
//
// Then: buildah bud -t inspect-tui dist/image   (or podman build / docker build)
//
//   node scripts/build-image.mjs [--exe FILE] [--context DIR]
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where a TLS client finds the CA bundle in the image (Debian's path; Node reads it through NODE_EXTRA_CA_CERTS). */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The shared libraries `file` loads: each path ldd names (the dynamic loader too), none for a static binary. */
export function sharedLibraries(file) {
  const r = spawnSync('ldd', [file], { encoding: 'utf8' });
  if (r.status !== 0) {
    if (/not a dynamic executable|statically linked/.test(r.stderr + r.stdout)) return [];
    throw new Error(`ldd ${file} failed: ${r.stderr.trim()}`);
  }
  const libs = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]);
    else if (/not found/.test(line)) throw new Error(`ldd ${file}: ${line.trim()}`);
  }
  return libs;
}

/** The Debian package a file belongs to (by its path or the path it resolves to), if dpkg knows it. */
function debianPackage(file) {
  for (const p of [file, realpathSync(file)]) {
    const r = spawnSync('dpkg', ['-S', p], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.split(':')[0].trim();
  }
  return undefined;
}

/** Copies `from` (its target, if a link) to `to`, with its mode. */
function copyReal(from, to) {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(realpathSync(from), to);
  chmodSync(to, 0o755);
}

export function prepareImageContext({ exe = path.join(ROOT, 'dist', 'inspect-tui-linux-x64'), context = path.join(ROOT, 'dist', 'image') } = {}) {
  if (!existsSync(exe)) throw new Error(`${path.relative(ROOT, exe)} is missing: run npm run build:sea first`);
  rmSync(context, { recursive: true, force: true });
  const rootfs = path.join(context, 'rootfs');
  copyReal(exe, path.join(rootfs, 'usr', 'local', 'bin', 'inspect-tui'));

  const docs = path.join(rootfs, 'usr', 'share', 'doc', 'inspect-tui');
  mkdirSync(docs, { recursive: true });
  const licenses = `${exe}.LICENSES.txt`;
  if (!existsSync(licenses)) throw new Error(`${path.relative(ROOT, licenses)} is missing: build:sea writes it beside the executable`);
  copyFileSync(licenses, path.join(docs, 'LICENSES.txt'));

  const libs = sharedLibraries(exe);
  const packages = new Set();
  for (const lib of libs) {
    copyReal(lib, path.join(rootfs, lib));
    const pkg = debianPackage(lib);
    if (pkg) packages.add(pkg.replace(/:.*$/, ''));
  }
  for (const pkg of packages) {
    const copyright = `/usr/share/doc/${pkg}/copyright`;
    if (existsSync(copyright)) copyFileSync(copyright, path.join(docs, `${pkg}.copyright`));
  }

  mkdirSync(path.dirname(path.join(rootfs, CA_BUNDLE)), { recursive: true });
  copyFileSync(realpathSync(CA_BUNDLE), path.join(rootfs, CA_BUNDLE));
  mkdirSync(path.join(rootfs, 'tmp'));
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  copyFileSync(path.join(ROOT, 'Containerfile'), path.join(context, 'Containerfile'));
  return { context, libs, packages: [...packages] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k) => (args.includes(k) ? path.resolve(args[args.indexOf(k) + 1]) : undefined);
  const r = prepareImageContext({ exe: opt('--exe'), context: opt('--context') });
  process.stderr.write(`${path.relative(process.cwd(), r.context)}: the executable, ${r.libs.length} libraries (${r.libs.map((l) => path.basename(l)).join(', ')}), ${CA_BUNDLE}, /tmp\n`);
  process.stderr.write(`build it: buildah bud -t inspect-tui ${path.relative(process.cwd(), r.context)}\n`);
}
