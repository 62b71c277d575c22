import { sanitize } from '../../format/index.js';
import { formatDockerReference, parseDockerReference, type DockerReference } from '../../reference/index.js';

/** A name to ask containerd for, and how it was derived from what the user typed. */
export type NameCandidate = { readonly name: string; readonly how: 'as typed' | 'with the tag latest' | 'normalized' };

function parsed(name: string): DockerReference | undefined {
  try {
    return parseDockerReference(name);
  } catch {
    return undefined;
  }
}

/**
 * The names to look up, in order. `ctr` stores a name exactly as given (`fx/multi:1`), nerdctl,
 * Kubernetes and Docker store normalized ones (`docker.io/library/alpine:3`): first the name as
 * typed, then (without tag or digest) with `:latest`, then its normalized form.
 */
export function nameCandidates(typed: string): NameCandidate[] {
  const out: NameCandidate[] = [{ name: typed, how: 'as typed' }];
  const ref = parsed(typed);
  const lastSlash = typed.lastIndexOf('/');
  if (!typed.includes('@') && !typed.slice(lastSlash + 1).includes(':')) out.push({ name: `${typed}:latest`, how: 'with the tag latest' });
  if (ref) {
    const normalized = formatDockerReference(ref);
    if (!out.some((c) => c.name === normalized)) out.push({ name: normalized, how: 'normalized' });
  }
  return out;
}

/** The repository of a name, normalized (`alpine:3` → `docker.io/library/alpine`); the name itself when it does not parse. */
export function repositoryOf(name: string): string {
  const ref = parsed(name);
  if (ref) return `${ref.domain}/${ref.path}`;
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.indexOf(':', base.lastIndexOf('/') + 1);
  return colon >= 0 ? base.slice(0, colon) : base;
}

/** The digest part of `NAME@DIGEST`, when there is one. */
export function digestOf(name: string): string | undefined {
  const at = name.indexOf('@');
  return at >= 0 ? name.slice(at + 1) : undefined;
}

function distance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `max` stored names close to what was typed, closest first: other tags of the same
 * repository, then names sharing its last path component, then names within a few edits.
 * Names come from containerd and are made safe to print.
 */
export function nearNames(typed: string, stored: readonly string[], max = 5): string[] {
  const repo = repositoryOf(typed);
  const leaf = repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(stored)) {
    const r = repositoryOf(name);
    let score: number;
    if (r === repo) score = 0;
    else if (leaf !== '' && r.slice(r.lastIndexOf('/') + 1).toLowerCase().includes(leaf)) score = 1;
    else {
      const d = distance(repo.toLowerCase(), r.toLowerCase());
      if (d > Math.max(2, Math.floor(repo.length / 5))) continue;
      score = 2 + d;
    }
    scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((s) => sanitize(s.name).slice(0, 200));
}
