/** Peeking: the first bytes of a stream, without taking them from whoever reads it next. */
import { Readable } from 'node:stream';

/** Reads the first `n` bytes of a stream and gives back a stream that still yields everything. */
export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let got = 0;
  const it = stream[Symbol.asyncIterator]();
  while (got < n) {
    const r = await it.next();
    if (r.done) break;
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(c);
    got += c.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    if (head.length) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}
