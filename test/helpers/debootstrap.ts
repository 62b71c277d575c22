import { existsSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasTool, runAsync } from './packages.js';

/** The Debian release the debootstrapped roots are made of, and where from. */
export const DEBIAN_SUITE = 'bookworm';
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** True where debootstrap is installed and the tests run as root (it needs both, and so does `chroot`). */
export const CAN_DEBOOTSTRAP = hasTool('debootstrap', ['--version']) && process.getuid?.() === 0;

/**
 * A Debian root made by debootstrap (minbase) from the mirror, shared by every test that needs
 * one: it takes half a minute or more to build, so it is kept in the temporary directory
 * (complete or not at all: built under another name, then renamed) and callers copy it.
 */
export async function debootstrapMinbase(): Promise<string> {
  const cached = path.join(os.tmpdir(), `inspect-tui-debootstrap-${DEBIAN_SUITE}-minbase`);
  if (!existsSync(cached)) {
    const building = `${cached}.${process.pid}`;
    await runAsync('debootstrap', ['--variant=minbase', DEBIAN_SUITE, building, DEBIAN_MIRROR]);
    renameSync(building, cached);
  }
  return cached;
}
