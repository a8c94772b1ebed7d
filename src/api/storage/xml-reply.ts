// libvirt XML as a representation: /xml routes, or Accept: application/xml on the resource itself.
import type { FastifyReply, FastifyRequest } from 'fastify';

export function wantsXml(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '');
  return /\b(application|text)\/xml\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

/** A string payload with its own content type bypasses the JSON serializer. */
export const sendXml = (reply: FastifyReply, xml: string) => reply.type('application/xml; charset=utf-8').send(xml);
