/**
 * Loaded into the engine by bench/sip.ts only (`node --expose-gc --import ./heap-probe.mjs ... serve`),
 * never by `serve` itself: on SIGUSR2 it runs two full GCs and writes the V8 heap figures as one JSON
 * line to the file named by SB_BENCH_HEAP_FILE, so the bench reads the heap a live call really holds
 * rather than whatever garbage the last GC left. Without that variable or without --expose-gc it does
 * nothing, so the signal keeps its default meaning. SB_BENCH_HEAP_SNAPSHOT=DIR also writes a heap
 * snapshot there at each signal (slow, large: for finding what a live call holds, not for figures).
 */
import { writeFileSync } from 'node:fs';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';

const file = process.env.SB_BENCH_HEAP_FILE;
if (file && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    const t0 = performance.now();
    globalThis.gc();
    globalThis.gc();
    const gcMs = performance.now() - t0;
    if (process.env.SB_BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(`${process.env.SB_BENCH_HEAP_SNAPSHOT}/heap-${Date.now()}.heapsnapshot`);
    const h = getHeapStatistics();
    const m = process.memoryUsage();
    writeFileSync(file, JSON.stringify({ at: Date.now(), gcMs, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss }) + '\n');
  });
}
