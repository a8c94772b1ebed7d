// Snapshot routes (virDomainSnapshotCreateXML, ListAllSnapshots, CurrentSnapshot, LookupByName,
// GetXMLDesc, RevertToSnapshot, Delete). Create, revert and delete are operations (202 +
// Location, or ?wait=N); reads answer JSON, or libvirt <domainsnapshot> XML on request.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type CreateSnapshotOptions, createSnapshot, currentSnapshot, parseSnapshotXml, deleteSnapshot, getSnapshot, listSnapshots, revertSnapshot, snapshotXml } from '../../drivers/domain/snapshots.js';
import { sendXml, wantsXml, xmlResponse } from '../negotiate.js';
import { autoAnswerOf, replyOperation, WaitQuery } from '../operations/reply.js';
import { DomainParam, problems } from '../schemas.js';
import { DomainStateSchema } from './schemas.js';

const SnapshotFields = {
  name: Type.String(),
  description: Type.String(),
  state: DomainStateSchema,
  createdAt: Type.String({ description: 'ISO 8601' }),
  parent: Type.Union([Type.String(), Type.Null()], { description: 'Name of the parent snapshot' }),
  current: Type.Boolean({ description: 'The snapshot the domain currently runs from' }),
  quiesced: Type.Boolean(),
  id: Type.Integer({ description: 'vSphere snapshot id' }),
  moref: Type.String({ description: 'vSphere managed object id' }),
};
const SnapshotSchema = Type.Object(
  { ...SnapshotFields, domain: Type.Optional(Type.Object({ name: Type.String(), uuid: Type.Optional(Type.String()) })) },
  { $id: 'DomainSnapshot' },
);
const SnapshotNodeSchema = Type.Object(
  { ...SnapshotFields, children: Type.Array(Type.Ref('DomainSnapshotNode')) },
  { $id: 'DomainSnapshotNode', description: 'A snapshot with its children' },
);
const SnapshotListSchema = Type.Object(
  {
    items: Type.Optional(Type.Array(Type.Ref('DomainSnapshot'), { description: 'Flat list, parents before children' })),
    roots: Type.Optional(Type.Array(Type.Ref('DomainSnapshotNode'), { description: 'With ?tree=1: the root snapshots with their children' })),
    total: Type.Integer(),
  },
  { $id: 'DomainSnapshotList' },
);

const SnapParams = Type.Object({ ...DomainParam.properties, name: Type.String({ minLength: 1, maxLength: 1024 }) });
const OpQuery = Type.Object({ ...WaitQuery }, { additionalProperties: false });
const opResponses = {
  202: { ...Type.Ref('Operation'), description: 'The operation (Location: /v1/operations/{id})' },
  200: { ...Type.Ref('Operation'), description: 'The finished operation (with ?wait)' },
};

const plugin: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(SnapshotSchema);
  app.addSchema(SnapshotNodeSchema);
  app.addSchema(SnapshotListSchema);
  const drv = () => app.drivers.domain;
  const tags = ['snapshots'];

  app.get(
    '/v1/domains/:domain/snapshots',
    {
      schema: {
        tags,
        summary: 'List snapshots: flat (with parent), or ?tree=1 as a tree',
        params: DomainParam,
        querystring: Type.Object(
          { tree: Type.Optional(Type.Union(['1', '0', 'true', 'false'].map((v) => Type.Literal(v)), { description: 'tree=1 answers the tree (roots with children)' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('DomainSnapshotList'), ...problems(404) },
      },
    },
    async (req) => {
      const { flat, roots } = await listSnapshots(drv(), req.params.domain, req.signal);
      return req.query.tree === '1' || req.query.tree === 'true' ? { roots, total: flat.length } : { items: flat, total: flat.length };
    },
  );

  app.post(
    '/v1/domains/:domain/snapshots',
    {
      schema: {
        tags,
        summary: 'Create a snapshot (CreateSnapshot_Task)',
        params: DomainParam,
        querystring: OpQuery,
        body: {
          content: {
            'application/json': {
              schema: Type.Object(
                {
                  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Default: the current time in seconds, as libvirt' })),
                  description: Type.Optional(Type.String({ maxLength: 4096 })),
                  memory: Type.Optional(Type.Boolean({ default: false, description: "Include the running domain's memory" })),
                  quiesce: Type.Optional(Type.Boolean({ default: false, description: 'Quiesce the guest file systems through VMware Tools' })),
                },
                { additionalProperties: false },
              ),
            },
            'application/xml': { schema: Type.String({ description: "libvirt <domainsnapshot> (name, description, memory snapshot='internal|no')" }) },
          },
        },
        response: { ...opResponses, ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const body = typeof req.body === 'string' ? parseSnapshotXml(req.body) : ((req.body ?? {}) as CreateSnapshotOptions);
      const op = await createSnapshot(drv(), app.drivers.operations, req.params.domain, { ...body, autoAnswer: autoAnswerOf(req.query), signal: req.signal });
      return replyOperation(req, reply, op);
    },
  );

  const getOne = (current: boolean) => async (req: { params: { domain: string; name?: string }; signal: AbortSignal }) =>
    current ? currentSnapshot(drv(), req.params.domain, req.signal) : getSnapshot(drv(), req.params.domain, req.params.name!, req.signal);
  /** GET of the current snapshot or one by name: JSON, or <domainsnapshot> XML on request. */
  const sendOne = (current: boolean) => async (req: FastifyRequest<{ Params: { domain: string; name?: string } }>, reply: FastifyReply) => {
    const s = await getOne(current)(req);
    return wantsXml(req) ? sendXml(reply, snapshotXml(s)) : s;
  };
  const OneSnapshotResponse = { 200: { description: 'The snapshot', content: { 'application/json': { schema: Type.Ref('DomainSnapshot') }, 'application/xml': { schema: { type: 'string' } } } }, ...problems(404) };

  app.get(
    '/v1/domains/:domain/snapshots/current',
    {
      schema: {
        tags,
        summary: 'The current snapshot (virDomainSnapshotCurrent); <domainsnapshot> XML with Accept: application/xml',
        params: DomainParam,
        response: OneSnapshotResponse,
      },
    },
    sendOne(true),
  );

  app.get(
    '/v1/domains/:domain/snapshots/:name',
    {
      schema: {
        tags,
        summary: 'One snapshot by name; <domainsnapshot> XML with Accept: application/xml',
        params: SnapParams,
        response: OneSnapshotResponse,
      },
    },
    sendOne(false),
  );

  app.get(
    '/v1/domains/:domain/snapshots/:name/xml',
    { schema: { tags, summary: 'libvirt <domainsnapshot> XML', params: SnapParams, response: { 200: xmlResponse('libvirt domain snapshot XML'), ...problems(404) } } },
    async (req, reply) => sendXml(reply, snapshotXml(await getOne(false)(req))),
  );

  app.delete(
    '/v1/domains/:domain/snapshots/:name',
    {
      schema: {
        tags,
        summary: 'Delete a snapshot (RemoveSnapshot_Task); ?children=true also deletes its descendants',
        params: SnapParams,
        querystring: Type.Object({ ...WaitQuery, children: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { ...opResponses, ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const op = await deleteSnapshot(drv(), app.drivers.operations, req.params.domain, req.params.name, { children: req.query.children, autoAnswer: autoAnswerOf(req.query), signal: req.signal });
      return replyOperation(req, reply, op);
    },
  );

  app.post(
    '/v1/domains/:domain/snapshots/:name/actions/revert',
    {
      schema: {
        tags,
        summary: 'Revert the domain to a snapshot (RevertToSnapshot_Task)',
        params: SnapParams,
        querystring: OpQuery,
        response: { ...opResponses, ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const op = await revertSnapshot(drv(), app.drivers.operations, req.params.domain, req.params.name, { autoAnswer: autoAnswerOf(req.query), signal: req.signal });
      return replyOperation(req, reply, op);
    },
  );
};

export default plugin;
