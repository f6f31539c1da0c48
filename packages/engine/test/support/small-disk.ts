/**
 * A small tmpfs of its own for the disk-full tests: mounted in a temp folder, filled on demand, and
 * unmounted and removed however the test ends. Mounting needs root; CI runs as root, elsewhere the
 * tests are skipped with `SMALL_DISK_SKIP` as their reason.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The `skip` option of a test that needs a small disk: false as root, otherwise why it is skipped. */
export const SMALL_DISK_SKIP: false | string = isRoot ? false : 'needs root to mount a small tmpfs (CI runs as root)';

/** Runs `fn` with the path of a fresh tmpfs of `sizeMb` MB; unmounts it and removes its folder after. */
export async function withSmallDisk<T>(sizeMb: number, prefix: string, fn: (mnt: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', mnt]);
  try {
    return await fn(mnt);
  } finally {
    try {
      execFileSync('umount', [mnt]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Writes `path` until the disk is full, in ever smaller blocks so that not even 512 bytes are left. */
export function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4096, 512]) {
      const block = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, block);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}
