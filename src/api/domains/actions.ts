// POST /v1/domains/{domain}/actions/{action}: libvirt's lifecycle calls. Task-based actions are
// operations (202 + Location, or the finished operation with ?wait=N); shutdown and reboot ask
// the guest through VMware Tools, which ESX does not track as a task: they answer 202 with what
// was requested and no Location.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DOMAIN_ACTIONS, runAction } from '../../drivers/domain/lifecycle.js';
import { autoAnswerOf, replyOperation, WaitQuery } from '../operations/reply.js';
import { DomainParam, problems } from '../schemas.js';
import { DomainStateSchema } from './schemas.js';

const ActionParams = Type.Object({
  ...DomainParam.properties,
  action: Type.Union(
    DOMAIN_ACTIONS.map((a) => Type.Literal(a)),
    { description: 'start, shutdown (guest OS via Tools), reboot (guest OS via Tools), destroy (hard power off), suspend, resume, reset (hard)' },
  ),
});

const GuestRequestSchema = Type.Object(
  {
    domain: Type.String(),
    uuid: Type.String(),
    action: Type.String(),
    state: DomainStateSchema,
    detail: Type.String(),
  },
  { $id: 'DomainGuestRequest', description: 'A guest operation ESX accepted (ShutdownGuest, RebootGuest): the guest acts on it on its own time' },
);

const actions: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(GuestRequestSchema);
  app.post(
    '/v1/domains/:domain/actions/:action',
    {
      schema: {
        tags: ['domains'],
        summary: 'Lifecycle action (virDomainCreate, Shutdown, Reboot, Destroy, Suspend, Resume, Reset)',
        description:
          'start/destroy/suspend/resume/reset run a vSphere task: 202 with Location: /v1/operations/{id}, or with ?wait=N (Prefer: wait=N) ' +
          'the operation once finished. shutdown/reboot ask the guest OS through VMware Tools: 202 with a DomainGuestRequest body. ' +
          'A domain in the wrong state is a 409 operation-invalid (fault InvalidPowerState).',
        params: ActionParams,
        querystring: Type.Object({ ...WaitQuery }, { additionalProperties: false }),
        response: {
          200: { ...Type.Ref('Operation'), description: 'The finished operation (with ?wait)' },
          202: { ...Type.Union([Type.Ref('Operation'), Type.Ref('DomainGuestRequest')]), description: 'The running operation (Location: /v1/operations/{id}), or the guest request (shutdown, reboot)' },
          ...problems(400, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const { domain, action } = req.params;
      const r = await runAction(app.drivers.domain, app.drivers.operations, domain, action, { autoAnswer: autoAnswerOf(req.query), signal: req.signal });
      if ('request' in r) return reply.code(202).send(r.request);
      return replyOperation(req, reply, r.operation);
    },
  );
};

export default actions;
