/**
 * CPU time from Linux's /proc, for the benchmarks and the threads that report their own: `stat` is
 * a process's (`/proc/<pid>/stat`) or a thread's (`/proc/thread-self/stat` for the calling thread,
 * `/proc/self/task/<tid>/stat` for another). Null where there is no such file.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the clock ticks per second /proc counts in, 100 on Linux. */
const TICKS_PER_SECOND = 100;

export function cpuSecondsOf(stat = '/proc/thread-self/stat'): number | null {
  try {
    const text = readFileSync(stat, 'utf8');
    // utime and stime are fields 14 and 15 of stat(5), counted after the command name, which is in
    // parentheses and may itself hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
