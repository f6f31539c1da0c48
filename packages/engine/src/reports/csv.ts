/**
 * CSV as RFC 4180 writes it: fields joined by commas, a field quoted when it holds a comma, a
 * quote, CR or LF (quotes doubled inside), lines ended by CRLF. Null and undefined are empty.
 */
import { Readable } from 'node:stream';

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/**
 * A stream of CSV text: the header, then each batch of rows as it is produced, so a million rows
 * never sit in memory (the consumer's back-pressure paces the producer).
 */
export function csvStream<T>(header: readonly string[], batches: AsyncIterable<readonly T[]>, toValues: (row: T) => readonly unknown[]): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(header);
    for await (const batch of batches) {
      let chunk = '';
      for (const row of batch) chunk += csvLine(toValues(row));
      if (chunk) yield chunk;
    }
  }
  return Readable.from(lines(), { objectMode: false });
}
