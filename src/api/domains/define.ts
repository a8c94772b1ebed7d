// Define (POST /v1/domains), edit (PUT: a whole definition; PATCH: tuning fields) and undefine
// (DELETE) — virDomainDefineXML, virDomainSetMemory/MaxMemory/Vcpus/SchedulerParameters/Autostart,
// virDomainUndefine. Bodies are the JSON definition or libvirt domain XML (application/xml).
// These wait for their vSphere task and answer the result (a define that fails leaves nothing).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { DomainDefinition } from '../../domain/model.js';
import { parseDomainXml } from '../../domain-xml/parse.js';
import { mapConversion } from '../../drivers/conversion-errors.js';
import { ApiError } from '../../drivers/errors.js';
import { defineDomain, editDomain, undefineDomain } from '../../drivers/domain/define.js';
import { idOf } from '../../drivers/domain/state.js';
import { patchDomain } from '../../drivers/domain/tuning.js';
import { DomainParam, problems } from '../schemas.js';

const DefinitionBody = {
  content: {
    'application/json': { schema: Type.Ref('DomainDefinition') },
    'application/xml': { schema: Type.String({ description: 'libvirt domain XML' }) },
  },
};

/** The body as a definition: XML is parsed by the conversion core; its errors are 400s naming the element. */
function definitionOf(req: FastifyRequest): DomainDefinition {
  const body = req.body;
  // Without a body (or a content type) Fastify validates nothing: a missing or blank body is a
  // client error here, not a TypeError deeper in the conversion.
  if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '') || (typeof body === 'object' && Object.keys(body).length === 0)) {
    throw new ApiError('invalid-arg', 'a domain definition is required (JSON or libvirt XML)');
  }
  return typeof body === 'string' ? mapConversion(() => parseDomainXml(body)) : (body as DomainDefinition);
}

const Allocation = Type.Object(
  {
    shares: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('low'), Type.Literal('normal'), Type.Literal('high')])),
    reservation: Type.Optional(Type.Integer({ minimum: 0, description: 'CPU: MHz; memory: KiB' })),
    limit: Type.Optional(Type.Integer({ minimum: -1, description: 'CPU: MHz; memory: KiB; -1 = unlimited' })),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    memory: Type.Optional(Type.Integer({ minimum: 4096, description: 'KiB: memory size (as `memory` in GET); domain must be shut off' })),
    maxMemory: Type.Optional(Type.Integer({ minimum: 4096, description: "KiB: libvirt's name for `memory`" })),
    currentMemory: Type.Optional(Type.Integer({ minimum: 1024, description: 'KiB: memory the guest may use (ESX memory limit)' })),
    vcpus: Type.Optional(Type.Integer({ minimum: 1, maximum: 768, description: 'Virtual CPUs; domain must be shut off' })),
    scheduler: Type.Optional(
      Type.Object({ cpu: Type.Optional(Allocation), memory: Type.Optional(Allocation) }, { additionalProperties: false, description: 'Shares, reservation and limit (virDomainSetSchedulerParameters)' }),
    ),
    autostart: Type.Optional(Type.Boolean({ description: 'Power on with the host (HostAutoStartManager)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const plugin: FastifyPluginAsyncTypebox = async (app) => {
  const ops = () => app.drivers.operations;

  app.post(
    '/v1/domains',
    {
      schema: {
        tags: ['domains'],
        summary: 'Define a domain (virDomainDefineXML): JSON definition or libvirt domain XML',
        description: 'Creates the VM with CreateVM_Task and answers 201 with the domain. Elements ESX cannot express are a 400 naming the element; an existing name or UUID is a 409 dom-exist.',
        body: DefinitionBody,
        response: { 201: Type.Ref('DomainDetail'), ...problems(400, 404, 409, 415) },
      },
    },
    async (req, reply) => {
      const def = definitionOf(req);
      const ref = await defineDomain(app.drivers.domain, ops(), def, { signal: req.signal });
      const d = await app.drivers.domain.detail(String(idOf(ref) ?? def.name), req.signal).catch(() => app.drivers.domain.detail(def.name, req.signal));
      return reply.code(201).header('location', `/v1/domains/${d.uuid || encodeURIComponent(d.name)}`).send(d);
    },
  );

  app.put(
    '/v1/domains/:domain',
    {
      schema: {
        tags: ['domains'],
        summary: 'Replace the definition of a shut-off domain (ReconfigVM_Task)',
        description: 'Unchanged devices are kept; others are edited, detached or attached. Disks are never deleted. A new name renames the domain.',
        params: DomainParam,
        body: DefinitionBody,
        response: { 200: Type.Ref('DomainDetail'), ...problems(400, 404, 409, 415) },
      },
    },
    async (req) => {
      const def = definitionOf(req);
      const before = await app.drivers.domain.summary(req.params.domain, req.signal);
      await editDomain(app.drivers.domain, ops(), req.params.domain, def, { signal: req.signal });
      return app.drivers.domain.detail(before.uuid || def.name, req.signal);
    },
  );

  app.patch(
    '/v1/domains/:domain',
    {
      schema: {
        tags: ['domains'],
        summary: 'Tune a domain: memory, currentMemory, vcpus, scheduler, autostart',
        params: DomainParam,
        body: PatchBody,
        response: { 200: Type.Ref('DomainDetail'), ...problems(400, 404, 409) },
      },
    },
    async (req) => {
      await patchDomain(app.drivers.domain, ops(), req.params.domain, req.body, req.signal);
      return app.drivers.domain.detail(req.params.domain, req.signal);
    },
  );

  app.delete(
    '/v1/domains/:domain',
    {
      schema: {
        tags: ['domains'],
        summary: 'Undefine a shut-off domain (UnregisterVM; files kept) or, with ?delete-files=true, destroy it and its files (Destroy_Task)',
        params: DomainParam,
        querystring: Type.Object({ 'delete-files': Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { 204: Type.Null({ description: 'Undefined' }), ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      await undefineDomain(app.drivers.domain, ops(), req.params.domain, { deleteFiles: req.query['delete-files'], signal: req.signal });
      return reply.code(204).send(null);
    },
  );
};

export default plugin;
