// HTTP Range for downloads when ESX itself answers 200 to a ranged request: one byte range
// (RFC 9110 14.1.2) served by skipping and truncating the upstream stream. Multiple ranges are
// not served (the whole file is, as RFC 9110 allows).
import { Transform, type TransformCallback } from 'node:stream';

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

/** null = ignore the header (absent, not bytes, several ranges); 'unsatisfiable' = answer 416. */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Passes bytes [start, end] of the stream through, drops the rest. */
export function sliceStream(r: ByteRange): Transform {
  let pos = 0;
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      if (done) return cb();
      const from = Math.max(0, r.start - pos);
      const to = Math.min(chunk.length, r.end + 1 - pos);
      pos += chunk.length;
      if (to > from) this.push(chunk.subarray(from, to));
      // Past the range: finish early instead of reading the rest of a large file.
      if (pos > r.end) {
        done = true;
        this.push(null);
      }
      cb();
    },
  });
}
