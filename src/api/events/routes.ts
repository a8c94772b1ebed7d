// GET /v1/events: Server-Sent Events (operation, lifecycle, question), hand-written on the raw
// response because the stream needs what a generic plugin hides: a bound on what is queued for a
// slow client (past it the client is dropped with a final `event: end`), Last-Event-ID replay from
// the bus's ring buffer, heartbeats, and a last event when the gateway shuts down.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../drivers/errors.js';
import { EVENT_TYPES, type EventType, type GatewayEvent } from '../../drivers/events.js';
import { problems } from '../schemas.js';

/** Bytes queued for one client before it counts as too slow and is dropped. */
export const MAX_QUEUED = 1024 * 1024;
/** Read per stream, so a test (or an operator restarting nothing) can change it. */
const heartbeatMs = () => Number(process.env.ESXGATE_SSE_HEARTBEAT_MS) || 15_000;

const frame = (e: GatewayEvent) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ ...e.data, time: e.time })}\n\n`;
const endFrame = (reason: string) => `event: end\ndata: ${JSON.stringify({ reason })}\n\n`;

const routes: FastifyPluginAsyncTypebox = async (app) => {
  // preClose runs before the server waits for open connections: end every stream first.
  app.addHook('preClose', async () => app.drivers.events.close('the gateway is shutting down'));

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events: operation progress, VM questions, domain lifecycle (Last-Event-ID replays)',
        querystring: Type.Object(
          { type: Type.Optional(Type.String({ maxLength: 100, description: 'Comma-separated: operation,lifecycle,question (default: all)' })) },
          { additionalProperties: false },
        ),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 32 })) }),
        response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...problems(400) },
      },
    },
    async (req, reply) => {
      const bus = app.drivers.events;
      const wanted = (req.query.type ?? EVENT_TYPES.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
      const bad = wanted.filter((t) => !EVENT_TYPES.includes(t as EventType));
      if (bad.length || !wanted.length) throw new ApiError('invalid-arg', `type: unknown event type(s) ${bad.join(', ') || '(none)'}; use ${EVENT_TYPES.join(', ')}`);
      const lastRaw = req.headers['last-event-id'];
      const lastId = lastRaw === undefined ? undefined : Number(lastRaw);
      if (lastId !== undefined && (!Number.isInteger(lastId) || lastId < 0)) throw new ApiError('invalid-arg', 'Last-Event-ID must be an event id this gateway sent');
      if (bus.closed) throw new ApiError('upstream-unavailable', 'the gateway is shutting down');
      const types = new Set(wanted);
      app.drivers.live.start(); // lifecycle events need the VM watch

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let open = true;
      const end = (reason: string) => {
        if (!open) return;
        open = false;
        unsubscribe();
        clearInterval(beat);
        res.end(endFrame(reason));
      };
      const write = (chunk: string) => {
        if (!open) return;
        // Memory per client is bounded: a client that does not read is dropped, not buffered for.
        if (res.writableLength > MAX_QUEUED) {
          req.log.warn({ queued: res.writableLength }, 'SSE client too slow; dropping it');
          end('slow-client: events were not read fast enough; reconnect with Last-Event-ID');
          // What is queued stays only while the client might still read it.
          const t = setTimeout(() => res.destroy(), 30_000);
          t.unref();
          res.once('close', () => clearTimeout(t));
          return;
        }
        res.write(chunk);
      };
      const unsubscribe = bus.subscribe(
        (e) => {
          if (types.has(e.type)) write(frame(e));
        },
        (reason) => end(reason),
        () => res.writableLength,
      );
      res.write(`retry: 2000\n: esxgate events ${[...types].join(',')}\n\n`);
      if (lastId !== undefined) {
        const { events, complete } = bus.since(lastId);
        if (!complete) write(`event: gap\ndata: ${JSON.stringify({ reason: 'some events after Last-Event-ID are no longer buffered; reload state' })}\n\n`);
        for (const e of events) if (types.has(e.type)) write(frame(e));
      }
      const beat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs());
      beat.unref();
      req.raw.on('close', () => {
        open = false;
        unsubscribe();
        clearInterval(beat);
      });
    },
  );
};

export default routes;
