import { describe, expect, it } from 'vitest';
import { fileOf, formatReference, isRemote, parseReference, readsStdin, TRANSPORT_FORMS, type ImageReference } from '../../src/reference/reference.js';

describe('parseReference', () => {
  const exists = (p: string) => p === 'odd:name.tar';
  it.each<[string, ImageReference]>([
    ['docker-archive:img.tar', { transport: 'docker-archive', path: 'img.tar' }],
    // The first colon after the path starts the tag, as in containers/image.
    ['docker-archive:img.tar:app:1', { transport: 'docker-archive', path: 'img.tar', ref: 'app:1' }],
    // ...unless the whole thing is an existing file.
    ['docker-archive:odd:name.tar', { transport: 'docker-archive', path: 'odd:name.tar' }],
    ['docker-archive://img.tar', { transport: 'docker-archive', path: 'img.tar' }],
    ['oci-archive:x.tar:v1', { transport: 'oci-archive', path: 'x.tar', ref: 'v1' }],
    ['oci:./layout', { transport: 'oci', path: './layout' }],
    ['docker-daemon:app:dev', { transport: 'docker-daemon', name: 'app:dev' }],
    ['docker://ghcr.io/org/app:1.2', { transport: 'docker', name: 'ghcr.io/org/app:1.2' }],
    // containerd keeps the whole name, tag and digest included; the source normalizes it.
    ['containerd:fx/multi:1', { transport: 'containerd', name: 'fx/multi:1' }],
    ['containerd:docker.io/library/alpine@sha256:00', { transport: 'containerd', name: 'docker.io/library/alpine@sha256:00' }],
    ['-', { transport: 'docker-archive', path: '-' }],
    ['nginx:latest', { transport: 'bare', value: 'nginx:latest' }],
  ])('%s', (arg, expected) => expect(parseReference(arg, exists)).toEqual(expected));

  it.each(['', 'docker://', 'oci:', 'docker-daemon:', 'containerd:'])('rejects %j with a usage error', (arg) => {
    expect(() => parseReference(arg)).toThrow(/names no|empty/);
  });

  it('round-trips format ∘ parse', () => {
    const samples = ['docker-archive:a.tar', 'docker-archive:a.tar:t:1', 'oci:dir:ref', 'oci-archive:x.tar', 'docker-daemon:n:t', 'containerd:k/a:1', 'docker://r:5000/a/b@sha256:00', 'plain'];
    for (let i = 0; i < 200; i++) {
      const s = samples[i % samples.length]!.replace('a', String.fromCharCode(97 + (i % 26)));
      const r = parseReference(s);
      expect(parseReference(formatReference(r))).toEqual(r);
    }
  });
});

describe('what an image argument reads', () => {
  // `img.tar`, `layout` and `odd:name.tar` exist; nothing else does.
  const exists = (p: string) => p === 'img.tar' || p === 'layout' || p === 'odd:name.tar';
  it.each<[string, string | undefined, boolean, boolean]>([
    // argument, fileOf, readsStdin, isRemote
    ['img.tar', 'img.tar', false, false], // a bare file is sniffed
    ['layout', 'layout', false, false], // a bare directory is an OCI layout
    ['docker-archive:img.tar', 'img.tar', false, false],
    ['docker-archive:img.tar:app:1', 'img.tar', false, false], // the tag is no part of the file
    ['docker-archive://img.tar', 'img.tar', false, false], // dive's spelling
    ['docker-archive:odd:name.tar', 'odd:name.tar', false, false], // an existing name with a colon stays whole
    ['oci-archive:missing.tar:v1', 'missing.tar', false, false], // a file transport names a file even before it exists
    ['oci:layout:v1', 'layout', false, false],
    ['-', undefined, true, false],
    ['docker-archive:-', undefined, true, false],
    ['oci-archive:-:app:1', undefined, true, false],
    ['nginx:latest', undefined, false, true], // a bare name that is no file: daemon, then registry
    ['docker://ghcr.io/a/b:1', undefined, false, true],
    ['docker-daemon:app:dev', undefined, false, true],
    ['containerd:app:1', undefined, false, false], // a local content store: quiet, as a file is
  ])('%s', (arg, file, stdin, remote) => {
    const ref = parseReference(arg, exists);
    expect(fileOf(ref, exists)).toBe(file);
    expect(readsStdin(ref)).toBe(stdin);
    expect(isRemote(ref, exists)).toBe(remote);
  });
});

describe('the table of transports', () => {
  it.each(TRANSPORT_FORMS.map((f) => [f.prefix, f] as const))('%s parses to its transport, and the help form starts with the prefix', (prefix, f) => {
    const ref = parseReference(`${prefix}x`);
    expect(ref.transport).toBe(f.transport);
    if (f.help) expect(f.help.form.startsWith(prefix)).toBe(true);
  });

  it('no prefix is hidden behind an earlier, shorter one', () => {
    TRANSPORT_FORMS.forEach((f, i) => {
      for (const earlier of TRANSPORT_FORMS.slice(0, i)) expect(f.prefix.startsWith(earlier.prefix), `${earlier.prefix} hides ${f.prefix}`).toBe(false);
    });
  });
});
