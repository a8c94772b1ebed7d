// Streamed file transfer through ESX's /folder HTTP endpoint (beyond libvirt's vol-download and
// vol-upload, which it resembles). Bytes flow through undici with backpressure, never buffered, so
// the gateway's memory stays flat for any file size. The session cookie comes from a pooled
// session leased for the whole transfer (so keep-alive and logout cannot pull it away mid-stream).
// Uploads go to a temporary name in the target folder and are moved into place only when complete.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { SessionPool } from '../../vi/session-pool.js';
import type { MoRef } from '../../vi/soap/encode.js';
import { transportError } from '../../vi/soap/transport.js';
import type { EsxConnection } from '../connection.js';
import { ApiError, fromVi } from '../errors.js';
import { type VolumePath, folderUrl } from './paths.js';
import type { StoragePoolDriver } from './pool.js';
import { parseRange, sliceStream } from './range.js';
import type { RunTask } from './tasks.js';
import type { Volume, VolumeDriver } from './volume.js';

export interface Download {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

interface Lease {
  cookie: string;
  release: () => void;
}

/** Leases a pooled session until release(); the session is checked (and re-logged in) first. */
function leaseSession(conn: EsxConnection, signal?: AbortSignal): Promise<Lease> {
  const pool: SessionPool = conn.vi.pool;
  const sm = conn.vi.serviceContent.sessionManager!;
  return new Promise<Lease>((resolve, reject) => {
    pool
      .withSession(async (s) => {
        // A property read needs a live session: a stale cookie raises NotAuthenticated, which the
        // pool answers with a fresh login before we hand the cookie to a raw HTTP request.
        await conn.vi.pc.retrieve([{ propSet: [{ type: 'SessionManager', pathSet: ['currentSession'] }], objectSet: [{ obj: sm, skip: false }] }], { signal }, s);
        await new Promise<void>((done) => {
          let released = false;
          // Idempotent: both the stream's close and an error path may release.
          resolve({ cookie: s.cookie!, release: () => void (released || ((released = true), done())) });
        });
      }, signal)
      .catch(reject);
  });
}

const TIMEOUT = 5 * 60_000;

function statusError(status: number, vp: VolumePath, what: string): ApiError {
  if (status === 404 || (status >= 300 && status < 400)) return new ApiError('no-storage-vol', `no storage volume '${vp.path}' in pool '${vp.datastore}'`);
  if (status === 401) return new ApiError('auth-failed', `ESX refused the session for the ${what}`);
  if (status === 403) return new ApiError('operation-denied', `ESX denied the ${what} of '${vp.full}'`);
  if (status === 416) return new ApiError('range-not-satisfiable', `the range is outside '${vp.path}'`);
  return new ApiError('upstream-error', `ESX answered HTTP ${status} to the ${what} of '${vp.full}'`);
}

export class TransferDriver {
  constructor(
    readonly conn: EsxConnection,
    readonly pools: StoragePoolDriver,
    readonly volumes: VolumeDriver,
    readonly runTask: RunTask,
  ) {}

  /** GET of a datastore file, with Range passed to ESX (or served here when ESX ignores it). */
  async download(poolName: string, volume: string, range: string | undefined, signal?: AbortSignal): Promise<Download> {
    const { vp } = await this.volumes.resolve(poolName, volume, signal);
    const dcPath = await this.pools.dcPath(signal);
    const lease = await leaseSession(this.conn, signal);
    let res: Dispatcher.ResponseData;
    try {
      const headers: Record<string, string> = { cookie: lease.cookie };
      if (range) headers.range = range;
      res = await this.conn.vi.transport
        .request({ path: folderUrl(vp, dcPath), method: 'GET', headers, signal, headersTimeout: TIMEOUT, bodyTimeout: TIMEOUT })
        .catch((e) => {
          throw fromVi(transportError(e, 'download', this.conn.vi.transport.origin));
        });
    } catch (e) {
      lease.release();
      throw e;
    }
    res.body.once('close', lease.release);
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
      lease.release();
      throw statusError(res.statusCode, vp, 'download');
    }
    const h = res.headers;
    const out: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(vp.file)}`,
    };
    for (const k of ['content-length', 'content-range', 'last-modified', 'etag']) if (h[k] !== undefined) out[k] = String(h[k]);
    if (res.statusCode === 206 || !range) return { status: res.statusCode as 200 | 206, headers: out, body: res.body };
    // ESX ignored the Range header: serve it here by skipping.
    const size = Number(h['content-length']);
    const r = Number.isFinite(size) ? parseRange(range, size) : null;
    if (r === null) return { status: 200, headers: out, body: res.body };
    if (r === 'unsatisfiable') {
      res.body.destroy();
      res.body.on('error', () => {});
      throw new ApiError('range-not-satisfiable', `the range '${range}' is outside '${vp.path}' (${size} bytes)`, { size });
    }
    out['content-length'] = String(r.end - r.start + 1);
    out['content-range'] = `bytes ${r.start}-${r.end}/${size}`;
    const sliced = res.body.pipe(sliceStream(r));
    res.body.on('error', () => {});
    sliced.once('close', () => res.body.destroy());
    return { status: 206, headers: out, body: sliced };
  }

  /**
   * PUT of a datastore file from a stream: written under a temporary name in the same folder and
   * moved over the final name (MoveDatastoreFile_Task, force) only when ESX has all bytes; on any
   * failure, including the client going away, the temporary file is deleted.
   */
  async upload(poolName: string, volume: string, body: Readable, contentLength: number | undefined, signal?: AbortSignal): Promise<Volume> {
    const { vp, datacenter } = await this.volumes.resolve(poolName, volume, signal);
    const dcPath = await this.pools.dcPath(signal);
    await this.volumes.makeParents(vp, datacenter, signal);
    const tmpFile = `.${vp.file}.${randomBytes(6).toString('hex')}.esxgate-upload`;
    const tmpPath = vp.directory ? `${vp.directory}/${tmpFile}` : tmpFile;
    const tmp = { datastore: vp.datastore, path: tmpPath };
    const tmpFull = `[${vp.datastore}] ${tmpPath}`;
    let written = false;
    try {
      const lease = await leaseSession(this.conn, signal);
      try {
        const headers: Record<string, string> = { cookie: lease.cookie, 'content-type': 'application/octet-stream' };
        if (contentLength !== undefined) headers['content-length'] = String(contentLength);
        written = true;
        const res = await this.conn.vi.transport
          .request({ path: folderUrl(tmp, dcPath), method: 'PUT', headers, body, signal, headersTimeout: TIMEOUT, bodyTimeout: TIMEOUT })
          .catch((e) => {
            throw fromVi(transportError(e, 'upload', this.conn.vi.transport.origin));
          });
        await res.body.dump().catch(() => {});
        if (res.statusCode !== 200 && res.statusCode !== 201 && res.statusCode !== 204) throw statusError(res.statusCode, vp, 'upload');
      } finally {
        lease.release();
      }
      if (body.readableAborted || (body as { aborted?: boolean }).aborted) throw new ApiError('invalid-arg', 'the client ended the upload early');
      await this.runTask({
        kind: 'volume.upload',
        target: { type: 'volume', name: vp.full },
        begin: () =>
          this.conn.call<MoRef>(
            'MoveDatastoreFile_Task',
            { _this: this.conn.vi.serviceContent.fileManager, sourceName: tmpFull, sourceDatacenter: datacenter, destinationName: vp.full, destinationDatacenter: datacenter, force: true },
            {},
          ),
      });
    } catch (e) {
      if (written) await this.removeQuietly(tmpFull, datacenter);
      throw e;
    }
    return this.volumes.lookup(poolName, vp.path, signal);
  }

  /** Best effort, without the request's signal (it is usually aborted by now). */
  private async removeQuietly(full: string, datacenter: MoRef): Promise<void> {
    await this.runTask({
      kind: 'volume.delete',
      target: { type: 'volume', name: full },
      // Cleanup of the temporary upload, not something the client asked for.
      internal: true,
      begin: () => this.conn.call<MoRef>('DeleteDatastoreFile_Task', { _this: this.conn.vi.serviceContent.fileManager, name: full, datacenter }, {}),
    }).catch(() => {});
  }
}
