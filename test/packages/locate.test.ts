import { describe, expect, it } from 'vitest';
import { packageFileKind } from '../../src/packages/index.js';

describe('where package databases lie', () => {
  it.each([
    // [path, kind or undefined] — one row per rule, and its near misses
    ['var/lib/dpkg/status', 'dpkg-status'],
    ['var/lib/dpkg/status-old', undefined], // dpkg's backup, not the database
    ['backup/var/lib/dpkg/status', undefined],
    ['var/lib/dpkg/info/libc6:amd64.list', 'dpkg-list'],
    ['var/lib/dpkg/info/.list', undefined],
    ['var/lib/dpkg/info/libc6.md5sums', undefined], // dpkg's own checksums: the .list is the file list
    ['var/lib/dpkg/diversions', 'dpkg-diversions'],
    ['var/lib/dpkg/status.d/base-files', 'dpkg-status-d'],
    ['var/lib/dpkg/status.d/base-files.md5sums', 'dpkg-md5sums'],
    ['lib/apk/db/installed', 'apk-installed'],
    ['usr/lib/apk/db/installed', undefined],
    ['var/lib/rpm/rpmdb.sqlite', 'rpm-sqlite'],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'rpm-sqlite'],
    ['var/lib/rpm/rpmdb.sqlite-wal', 'rpm-sqlite-wal'],
    ['var/lib/rpm/Packages', 'rpm-bdb'],
    ['usr/lib/sysimage/rpm/Packages.db', 'rpm-ndb'],
    ['opt/rpm/Packages', undefined],
    ['usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', 'pip-metadata'],
    ['opt/venv/lib/python3.11/site-packages/x-1.0.dist-info/RECORD', 'pip-record'],
    ['opt/lib/x-1.0.dist-info/METADATA', undefined], // not in a site directory
    ['usr/lib/python3/dist-packages/.dist-info/METADATA', undefined],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', 'egg-pkg-info'],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info/installed-files.txt', 'egg-files'],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info', 'egg-info-file'],
    ['usr/lib/python3/dist-packages/six/PKG-INFO', undefined],
    ['app/node_modules/left-pad/package.json', 'npm-package-json'],
    ['app/node_modules/@babel/core/package.json', 'npm-package-json'],
    ['app/node_modules/a/node_modules/b/package.json', 'npm-package-json'],
    ['app/node_modules/@babel/package.json', undefined], // a scope is no package
    ['app/node_modules/.bin/package.json', undefined],
    ['app/node_modules/left-pad/test/package.json', undefined], // a fixture inside a package
    ['node_modules/x/package.json', 'npm-package-json'],
    ['app/package.json', undefined], // the project itself
    ['package.json', undefined],
  ])('%s', (path, kind) => {
    expect(packageFileKind(path)).toBe(kind);
  });
});
