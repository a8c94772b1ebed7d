// Streamed file transfer (beyond libvirt; like virsh vol-download / vol-upload):
//   GET  /v1/storage-pools/{pool}/volumes/{volume}/content   (Range supported)
//   PUT  /v1/storage-pools/{pool}/volumes/{volume}/content   (application/octet-stream)
// The request body is handed on as a stream (no parsing, no buffering), so the app's bodyLimit
// does not apply here: this route sets its own, unlimited.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../drivers/errors.js';
import { problems } from '../schemas.js';
import { VolumeParam } from './schemas.js';

const passThrough = (_req: unknown, payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null, payload);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  // Only in this plugin's context: other routes keep rejecting unknown media types.
  app.addContentTypeParser('application/octet-stream', passThrough);
  app.addContentTypeParser('*', passThrough);
  const transfer = () => app.drivers.storage.transfer;

  app.get(
    '/v1/storage-pools/:pool/volumes/:volume/content',
    {
      schema: {
        tags: ['storage'],
        summary: 'Download a datastore file, streamed (Range: bytes=a-b supported)',
        params: VolumeParam,
        produces: ['application/octet-stream'],
        response: { 200: Type.Any({ description: 'the file' }), 206: Type.Any({ description: 'the requested range' }), ...problems(400, 404, 416, 422) },
      },
    },
    async (req, reply) => {
      const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
      const d = await transfer().download(req.params.pool, req.params.volume, range, req.signal);
      return reply.code(d.status).headers(d.headers).send(d.body);
    },
  );

  app.put(
    '/v1/storage-pools/:pool/volumes/:volume/content',
    {
      bodyLimit: Number.MAX_SAFE_INTEGER,
      schema: {
        tags: ['storage'],
        summary: 'Upload a datastore file, streamed; the file appears under its name only once complete',
        params: VolumeParam,
        consumes: ['application/octet-stream'],
        response: { 200: Type.Ref('Volume'), ...problems(400, 404, 409, 415, 422) },
      },
    },
    async (req, reply) => {
      const len = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
      // Fastify does not run a parser for an empty body: an empty file is still a file.
      const body = req.body === undefined && len === 0 ? Readable.from([]) : (req.body as Readable | undefined);
      if (!body || typeof body.pipe !== 'function') {
        const type = req.headers['content-type'];
        if (type) throw new ApiError('unsupported-media-type', `upload the file as application/octet-stream, not ${type}`);
        throw new ApiError('invalid-arg', 'send the file as the request body (Content-Type: application/octet-stream)');
      }
      // Not req.signal: Node closes the request once its body is read, which is before ESX answers.
      // The client is gone when the response closes unfinished.
      const ac = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) ac.abort();
      });
      return transfer().upload(req.params.pool, req.params.volume, body, Number.isSafeInteger(len) ? len : undefined, ac.signal);
    },
  );
};

export default routes;
