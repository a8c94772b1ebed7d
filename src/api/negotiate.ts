// Content negotiation for resources libvirt also has as XML: JSON unless the client asks for
// application/xml (or text/xml) and not for JSON first.
import type { FastifyReply, FastifyRequest } from 'fastify';

export function wantsXml(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '').toLowerCase();
  const xml = accept.search(/(application|text)\/xml/);
  if (xml < 0) return false;
  const json = accept.search(/application\/(json|\*)|\*\/\*/);
  return json < 0 || xml < json;
}

export const sendXml = (reply: FastifyReply, xml: string) => reply.type('application/xml; charset=utf-8').send(xml);

/** OpenAPI response entry for an XML body. */
export const xmlResponse = (description: string) => ({ description, content: { 'application/xml': { schema: { type: 'string' } } } });
