import { createRequire } from 'node:module';
import type { PackageManager } from './model.js';
import { PACKAGE_LIMITS } from './model.js';

/**
 * Version order by each manager's own rules, for telling an upgrade from a downgrade. dpkg's and
 * rpm's algorithms are short and exactly specified by their C sources, and no maintained
 * JavaScript library implements them; they are transcribed here and tested against the real
 * `dpkg --compare-versions` and rpm's `rpm.vercmp`. npm uses the `semver` library (npm's own),
 * pip `@renovatebot/pep440`, both loaded on first use: the layer reader (on every worker
 * thread too) imports this folder to classify paths, and loading them cost ~30 ms per import.
 */

const require = createRequire(import.meta.url);
let semverLib: typeof import('semver') | undefined;
let pep440Lib: typeof import('@renovatebot/pep440') | undefined;
const semver = () => (semverLib ??= require('semver') as typeof import('semver'));
const pep440 = () => (pep440Lib ??= require('@renovatebot/pep440') as typeof import('@renovatebot/pep440'));

/** Sort weight of one character in dpkg's comparison of non-digit parts (lib/dpkg/version.c `order`). */
function dpkgOrder(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 0x30 && c <= 0x39) return 0;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return c;
  if (c === 0x7e /* ~ */) return -1;
  return c + 256;
}

const isDigit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;

/** dpkg's `verrevcmp`: compares an upstream version or a revision. */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const ac = dpkgOrder(a, i);
      const bc = dpkgOrder(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (i < a.length && a[i] === '0') i++;
    while (j < b.length && b[j] === '0') j++;
    while (isDigit(a, i) && isDigit(b, j)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a, i)) return 1;
    if (isDigit(b, j)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Splits `[epoch:]upstream[-revision]` as dpkg's `parseversion` does; undefined for a non-numeric epoch. */
function splitDpkg(v: string): { epoch: number; upstream: string; revision: string } | undefined {
  const colon = v.indexOf(':');
  let epoch = 0;
  let rest = v;
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (e === '' || e.length > 9 || ![...e].every((c) => c >= '0' && c <= '9')) return undefined;
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash < 0 ? { epoch, upstream: rest, revision: '' } : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** dpkg's version order (`dpkg --compare-versions`): -1, 0 or 1; undefined for a malformed epoch. */
export function compareDpkgVersions(a: string, b: string): number | undefined {
  const x = splitDpkg(a);
  const y = splitDpkg(b);
  if (!x || !y) return undefined;
  if (x.epoch !== y.epoch) return sign(x.epoch - y.epoch);
  return sign(verrevcmp(x.upstream, y.upstream)) || sign(verrevcmp(x.revision, y.revision));
}

const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isNum = (c: number) => c >= 0x30 && c <= 0x39;

/** rpm's `rpmvercmp` (rpmio/rpmvercmp.c, rpm 4.18): compares one version or release string. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number) => (k < s.length ? s.charCodeAt(k) : 0);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlpha(at(a, i)) && !isNum(at(a, i)) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlpha(at(b, j)) && !isNum(at(b, j)) && b[j] !== '~' && b[j] !== '^') j++;
    // A tilde sorts before everything, even the end.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // A caret sorts after the end but before anything else.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    const numeric = isNum(at(a, i));
    const inSeg = numeric ? isNum : isAlpha;
    while (ei < a.length && inSeg(at(a, ei))) ei++;
    while (ej < b.length && inSeg(at(b, ej))) ej++;
    // A numeric segment is newer than an alphabetic one.
    if (ej === j) return numeric ? 1 : -1;
    if (numeric) {
      while (i < ei && a[i] === '0') i++;
      while (j < ej && b[j] === '0') j++;
      if (ei - i !== ej - j) return ei - i > ej - j ? 1 : -1;
    }
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Splits `[epoch:]version[-release]`. */
function splitRpm(v: string): { epoch: string; version: string; release: string } {
  const colon = v.indexOf(':');
  const epoch = colon >= 0 ? v.slice(0, colon) : '0';
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash < 0 ? { epoch, version: rest, release: '' } : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/** rpm's EVR order (`rpmVersionCompare`): epoch, then version, then release; -1, 0 or 1. */
export function compareRpmVersions(a: string, b: string): number {
  const x = splitRpm(a);
  const y = splitRpm(b);
  return rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release);
}

/**
 * Orders two versions of one package by its manager's rules: negative when `a` is older, 0
 * when equal in precedence, positive when newer; undefined when the manager has no order the
 * tool implements (apk) or a version is not valid for it, so a caller says "changed" rather
 * than guess a direction.
 */
export function compareVersions(manager: PackageManager, a: string, b: string): number | undefined {
  if (a.length > PACKAGE_LIMITS.versionLength || b.length > PACKAGE_LIMITS.versionLength) return undefined;
  switch (manager) {
    case 'dpkg':
      return compareDpkgVersions(a, b);
    case 'rpm':
      return compareRpmVersions(a, b);
    case 'npm': {
      const x = semver().valid(a, { loose: true });
      const y = semver().valid(b, { loose: true });
      return x && y ? semver().compare(x, y) : undefined;
    }
    case 'pip':
      return pep440().valid(a) && pep440().valid(b) ? sign(pep440().compare(a, b)) : undefined;
    case 'apk':
      return undefined;
  }
}
