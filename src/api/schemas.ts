// Schemas shared by every route: problem+json, paging, path parameters.
import { Type } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the problem kind', examples: ['urn:esxgate:problem:no-domain'] }),
    title: Type.String({ examples: ['Not Found'] }),
    status: Type.Integer({ examples: [404] }),
    detail: Type.String({ examples: ["no domain with matching name, UUID or id 'web01'"] }),
    code: Type.String({ description: "Stable error code named after libvirt's error (no-domain, operation-invalid, invalid-arg, auth-failed, upstream-unavailable, ...)", examples: ['no-domain'] }),
    fault: Type.Optional(Type.String({ description: 'vim25 fault type from ESX, when ESX raised one', examples: ['InvalidPowerState'] })),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** `{ 400: Problem, 404: Problem, ... }` for route response schemas. */
export function problems(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of [...new Set([...statuses, 500, 502, 503, 504])]) {
    // application/problem+json (RFC 9457) is what sendProblem writes; Fastify picks the serializer by content type.
    out[s] = { description: `Problem (${s})`, content: { 'application/problem+json': { schema: Type.Ref('Problem') } } };
  }
  return out;
}

export const DomainParam = Type.Object({
  domain: Type.String({ minLength: 1, maxLength: 1024, description: 'Domain name, UUID or numeric id (libvirt lookupByName/UUID/ID)' }),
});

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000, description: 'Items per page' })),
  cursor: Type.Optional(Type.String({ maxLength: 2048, description: 'nextCursor of the previous page' })),
};
