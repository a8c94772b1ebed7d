// Streamed datastore file transfer against esxsim's /folder endpoint: a 200 MB round trip checked
// by SHA-256 with the gateway's memory bounded, Range requests, names with spaces and non-ASCII,
// and an interrupted upload that leaves nothing under the final name.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { simUri } from '../../helpers/gateway.js';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 0 });

/** The gateway as a child process: its RSS is read from /proc without the test client's buffers. */
async function childGateway(): Promise<{ url: string; child: ChildProcess; rss: () => number }> {
  // The V8 flag npm start and the container run the gateway with (see the README's performance section).
  const child = spawn(process.execPath, ['--max-semi-space-size=2', '--import', 'tsx', new URL('./gateway-child.ts', import.meta.url).pathname], {
    env: { ...process.env, ESXGATE_URI: simUri(ctx.sim), ESXGATE_PASSWORD: ctx.sim.password },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`gateway child exited (${code})`)));
  });
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
  return { url, child, rss };
}

const content = (name: string, base = ctx.url) => `${base}/v1/storage-pools/LocalDS_0/volumes/${encodeURIComponent(name)}/content`;

/** Deterministic pseudo-random bytes, generated chunk by chunk (never all in memory). */
function* chunks(total: number, seed: number): Generator<Buffer> {
  const size = 64 * 1024;
  let x = seed >>> 0;
  for (let sent = 0; sent < total; sent += size) {
    const b = Buffer.allocUnsafe(Math.min(size, total - sent));
    for (let i = 0; i < b.length; i += 4) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      b.writeUInt32LE(x, i);
    }
    yield b;
  }
}

async function upload(name: string, data: Buffer | Iterable<Buffer>, length?: number, base?: string) {
  const body = Buffer.isBuffer(data) ? data : Readable.from(data);
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (length !== undefined) headers['content-length'] = String(length);
  const r = await request(content(name, base), { method: 'PUT', body, headers });
  return { status: r.statusCode, json: (await r.body.json()) as Record<string, unknown> };
}

describe('file transfer', () => {
  it('round-trips 200 MB by SHA-256 with the gateway RSS growing less than 64 MB', async () => {
    const total = 200 * 1024 * 1024;
    const { url, child, rss } = await childGateway();
    try {
      // Warm up first (connections, TLS, code paths), so the measurement sees the transfer only.
      expect((await upload('big/warm-up.bin', Buffer.alloc(1024 * 1024, 1), undefined, url)).status).toBe(200);
      await (await request(content('big/warm-up.bin', url))).body.dump();
      const before = rss();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rss())), 20);
      const sent = createHash('sha256');
      const gen = (function* () {
        for (const c of chunks(total, 42)) {
          sent.update(c);
          yield c;
        }
      })();
      try {
        const up = await upload('big/200 MB.bin', gen, total, url);
        expect(up.status, JSON.stringify(up.json)).toBe(200);
        expect(up.json).toMatchObject({ name: 'big/200 MB.bin', allocation: total });

        const got = createHash('sha256');
        const r = await request(content('big/200 MB.bin', url));
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-length']).toBe(String(total));
        expect(r.headers['content-type']).toBe('application/octet-stream');
        let n = 0;
        for await (const c of r.body) {
          got.update(c as Buffer);
          n += (c as Buffer).length;
        }
        expect(n).toBe(total);
        expect(got.digest('hex')).toBe(sent.digest('hex'));
      } finally {
        clearInterval(sampler);
      }
      expect(peak - before).toBeLessThan(64 * 1024 * 1024);
    } finally {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('serves byte ranges (206 with Content-Range) and 416 outside the file', async () => {
    const data = Buffer.from([...chunks(100_000, 7)][0]!);
    expect((await upload('ranges/a file ä.bin', data)).status).toBe(200);
    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, data.length - 1],
      ['bytes=-500', data.length - 500, data.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await request(content('ranges/a file ä.bin'), { headers: { range } });
      expect(r.statusCode, range).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/${data.length}`);
      expect(Buffer.from(await r.body.arrayBuffer()).equals(data.subarray(start, end + 1)), range).toBe(true);
    }
    const bad = await request(content('ranges/a file ä.bin'), { headers: { range: `bytes=${data.length + 10}-` } });
    expect(bad.statusCode).toBe(416);
    expect(((await bad.body.json()) as { code: string }).code).toBe('range-not-satisfiable');
  });

  it('replaces an existing file and keeps names with spaces, # and non-ASCII intact', async () => {
    const name = 'odd names/ü #1 (copy) ?.txt';
    expect((await upload(name, Buffer.from('first'))).status).toBe(200);
    const up = await upload(name, Buffer.from('second version'));
    expect(up.status).toBe(200);
    expect(up.json).toMatchObject({ name, allocation: 14 });
    const r = await request(content(name));
    expect(await r.body.text()).toBe('second version');
    const list = await request(`${ctx.url}/v1/storage-pools/LocalDS_0/volumes`);
    const names = ((await list.body.json()) as { items: Array<{ name: string }> }).items.map((v) => v.name);
    expect(names).toContain(name);
    expect(names.filter((n) => n.startsWith('odd names/'))).toEqual([name]);
    // Glob characters in a name: '[1]' must not match '1' (matchPattern is a glob).
    expect((await upload('odd names/a1.txt', Buffer.from('one'))).status).toBe(200);
    expect((await upload('odd names/a[1]*.txt', Buffer.from('bracket'))).status).toBe(200);
    const b = await request(`${ctx.url}/v1/storage-pools/LocalDS_0/volumes/${encodeURIComponent('odd names/a[1]*.txt')}`);
    expect(((await b.body.json()) as { allocation: number }).allocation).toBe(7);
  });

  it('leaves no file under the final name (and no temporary file) when the client aborts an upload', async () => {
    const url = new URL(content('aborted/partial.bin'));
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(50 * 1024 * 1024) } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      const data = Buffer.alloc(1024 * 1024, 7);
      let n = 0;
      const pump = () => {
        // Send 5 of the announced 50 MB, then drop the connection.
        if (n++ >= 5) return void req.destroy();
        req.write(data, pump);
      };
      pump();
    });
    // The gateway deletes the temporary file after ESX's PUT fails; the listing hides temporary
    // files, so look at the simulator's datastore directory itself (a local path) until then.
    const target = ((await (await request(`${ctx.url}/v1/storage-pools/LocalDS_0`)).body.json()) as { target: string }).target;
    let names: string[] = [];
    for (let i = 0; i < 100; i++) {
      names = existsSync(join(target, 'aborted')) ? readdirSync(join(target, 'aborted')) : [];
      if (names.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(names).toEqual([]);
    const r = await request(content('aborted/partial.bin'));
    expect(r.statusCode).toBe(404);
    await r.body.dump();
  });

  it('stores empty files, and refuses bodies of other media types with 415', async () => {
    const empty = await request(content('small/empty.bin'), { method: 'PUT', body: '', headers: { 'content-type': 'application/octet-stream', 'content-length': '0' } });
    expect(empty.statusCode).toBe(200);
    expect(((await empty.body.json()) as { allocation: number }).allocation).toBe(0);
    const json = await request(content('small/x.json'), { method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(json.statusCode).toBe(415);
    expect(((await json.body.json()) as { code: string }).code).toBe('unsupported-media-type');
  });

  it('gives pooled sessions back after failed and abandoned downloads', async () => {
    expect((await upload('small/ok.txt', Buffer.from('still served'))).status).toBe(200);
    expect((await upload('small/8 MB.bin', chunks(8 * 1024 * 1024, 3), 8 * 1024 * 1024)).status).toBe(200);
    // More failures and abandoned streams than the pool has sessions (4): a leaked lease would hang the last GET.
    for (let i = 0; i < 6; i++) {
      const miss = await request(content(`small/missing-${i}.bin`));
      expect(miss.statusCode).toBe(404);
      await miss.body.dump();
      const big = await request(content('small/8 MB.bin'));
      expect(big.statusCode).toBe(200);
      big.body.destroy();
    }
    const ok = await request(content('small/ok.txt'));
    expect(await ok.body.text()).toBe('still served');
  });

  it('answers 404 for uploads to unknown pools', async () => {
    const r = await request(`${ctx.url}/v1/storage-pools/nope/volumes/x.bin/content`, { method: 'PUT', body: 'x', headers: { 'content-type': 'application/octet-stream' } });
    expect(r.statusCode).toBe(404);
    expect(((await r.body.json()) as { code: string }).code).toBe('no-storage-pool');
  });
});
