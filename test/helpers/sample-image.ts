import type { Analysis } from '../../src/core/index.js';
import { buildAnalysis, dir, file, opaque, symlink, whiteout } from './build-analysis.js';

/**
 * A four-layer image with every kind of change the inspector shows: additions, a content
 * change, a chmod-only change, a file whiteout, a directory whiteout and an opaque directory.
 */
export function sampleAnalysis(): Analysis {
  return buildAnalysis(
    [
      {
        command: 'ADD rootfs /',
        entries: [
          dir('etc'),
          file('etc/passwd', 100, { content: 'v1' }),
          file('etc/hosts', 50),
          dir('usr'),
          dir('usr/bin'),
          file('usr/bin/sh', 1000, { mode: 0o4755 }),
          symlink('usr/bin/ash', 'sh'),
          dir('var'),
          dir('var/cache'),
          file('var/cache/a', 500),
          file('var/cache/b', 300),
        ],
        emptyAfter: ['ENV A=1'],
      },
      { command: 'apk add curl', entries: [file('usr/bin/curl', 2000), file('etc/passwd', 120, { content: 'v2' }), whiteout('etc/hosts')] },
      { command: 'rm -rf /var/cache && chmod 600 /etc/passwd', entries: [whiteout('var/cache'), file('etc/passwd', 120, { content: 'v2', mode: 0o600 })], emptyAfter: ['CMD ["sh"]'] },
      { command: 'replace /usr/bin', entries: [dir('usr/bin'), opaque('usr/bin'), file('usr/bin/only', 10)] },
    ],
    { entrypoint: ['/usr/bin/sh'], workingDir: '/srv', user: 'app', exposedPorts: ['80/tcp'], labels: { 'org.example': 'yes' } },
  );
}
