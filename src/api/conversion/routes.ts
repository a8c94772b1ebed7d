// Offline conversions, as virsh domxml-from-native / domxml-to-native for 'vmware-vmx':
// POST /v1/domain-xml/from-native (VMX -> libvirt XML or the JSON definition) and
// POST /v1/domain-xml/to-native (libvirt XML or the JSON definition -> VMX). No ESX call is made;
// file names map between '[datastore] path' and '/vmfs/volumes/datastore/path'.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainDefinition } from '../../domain/model.js';
import { formatDomainXml } from '../../domain-xml/format.js';
import { parseDomainXmlReport } from '../../domain-xml/parse.js';
import { mapConversion } from '../../drivers/conversion-errors.js';
import { ApiError } from '../../drivers/errors.js';
import { createFileNameMapper } from '../../vmx/file-names.js';
import { domainToVmx } from '../../vmx/from-domain.js';
import { vmxToDomain } from '../../vmx/to-domain.js';
import { sendXml, wantsXml } from '../negotiate.js';
import { problems } from '../schemas.js';

const files = createFileNameMapper({ relativeWithSlash: 'resolve' });

const VmxDir = Type.String({
  minLength: 1,
  pattern: '^\\[[^\\]]+\\]',
  description: "Datastore folder of the VMX file, '[datastore] directory': bare file names in the VMX live there.",
  examples: ['[datastore1] web01'],
});
const DatacenterPath = Type.String({ minLength: 1, description: 'Datacenter inventory path, reported as <vmware:datacenterpath>.' });
const VirtualHW = Type.Integer({ minimum: 4, maximum: 99, description: 'virtualHW.version to write (ESX 6.7: 14, 7.0: 17-19, 8.0: 20-21).' });

const FromNativeJson = Type.Object(
  {
    vmx: Type.String({ minLength: 1, description: 'VMX file content (already decoded text; its .encoding is not applied).' }),
    vmxDir: Type.Optional(VmxDir),
    datacenterPath: Type.Optional(DatacenterPath),
  },
  { additionalProperties: false },
);

const ToNativeJson = Type.Object(
  {
    xml: Type.Optional(Type.String({ minLength: 1, description: 'libvirt domain XML (give this or definition).' })),
    definition: Type.Optional(Type.Ref('DomainDefinition', { description: 'JSON domain definition (give this or xml).' })),
    virtualHW: Type.Optional(VirtualHW),
    vmxDir: Type.Optional(VmxDir),
    ignoreUnsupported: Type.Optional(Type.Boolean({ description: 'Drop XML elements the conversion does not know instead of answering 400.' })),
  },
  { additionalProperties: false },
);

/**
 * Fastify validates a body only against the schema of its content type: a request without a body
 * (or without a content type) reaches the handler with `undefined`, which is a 400, not a 500.
 */
function requireBody(body: unknown, what: string): void {
  if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) throw new ApiError('invalid-arg', `${what} is required`);
}

const plugin: FastifyPluginAsyncTypebox = async (app) => {
  // Raw VMX bytes: the file's own .encoding (windows-1252 in older files) decides how they decode.
  // Latin-1 maps bytes 1:1 to characters, so the body stays a string for validation and the
  // handler gets the exact bytes back.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, (body as Buffer).toString('latin1')),
  );

  app.post(
    '/v1/domain-xml/from-native',
    {
      schema: {
        tags: ['conversion'],
        summary: 'VMX -> libvirt domain XML (virConnectDomainXMLFromNative, vmware-vmx)',
        description:
          'Body: the VMX file as text/plain (or application/octet-stream), decoded with its .encoding entry; or JSON {vmx, vmxDir, datacenterPath}. ' +
          'Answers libvirt domain XML, or the JSON definition with Accept: application/json. Conversion errors are 400 problems naming the line or VMX entry.',
        querystring: Type.Object({ vmxDir: Type.Optional(VmxDir), datacenterPath: Type.Optional(DatacenterPath) }, { additionalProperties: false }),
        body: {
          content: {
            'text/plain': { schema: Type.String({ minLength: 1, description: 'VMX file' }) },
            'application/octet-stream': { schema: Type.String({ minLength: 1, description: 'VMX file' }) },
            'application/json': { schema: FromNativeJson },
          },
        },
        response: {
          200: {
            description: 'The domain, as libvirt XML or as the JSON definition (Accept: application/json)',
            content: { 'application/xml': { schema: { type: 'string' } }, 'application/json': { schema: Type.Ref('DomainDefinition') } },
          },
          ...problems(400, 415),
        },
      },
    },
    async (req, reply) => {
      requireBody(req.body, 'a VMX file (text/plain, application/octet-stream or JSON {vmx})');
      const json = typeof req.body === 'object' ? (req.body as { vmx: string; vmxDir?: string; datacenterPath?: string }) : undefined;
      const input = json ? json.vmx : new Uint8Array(Buffer.from(req.body as string, 'latin1'));
      const def = mapConversion(() =>
        vmxToDomain(input, {
          vmxDir: json?.vmxDir ?? req.query.vmxDir,
          datacenterPath: json?.datacenterPath ?? req.query.datacenterPath,
          parseFileName: files.parseFileName,
        }),
      );
      const accept = String(req.headers.accept ?? '');
      if (/application\/json/.test(accept) && !wantsXml(req)) return reply.type('application/json').send(def);
      return sendXml(reply, formatDomainXml(def));
    },
  );

  app.post(
    '/v1/domain-xml/to-native',
    {
      schema: {
        tags: ['conversion'],
        summary: 'libvirt domain XML -> VMX (virConnectDomainXMLToNative, vmware-vmx)',
        description:
          'Body: libvirt domain XML (application/xml, with ?virtualHW=N), or JSON {xml | definition, virtualHW}. Answers the VMX file as text/plain. ' +
          'XML elements the conversion does not know are a 400 naming them (unless ignoreUnsupported); so is anything ESX cannot express.',
        querystring: Type.Object(
          { virtualHW: Type.Optional(VirtualHW), vmxDir: Type.Optional(VmxDir), ignoreUnsupported: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        body: {
          content: {
            'application/xml': { schema: Type.String({ minLength: 1, description: 'libvirt domain XML' }) },
            'application/json': { schema: ToNativeJson },
          },
        },
        response: { 200: { description: 'The VMX file', content: { 'text/plain': { schema: { type: 'string' } } } }, ...problems(400, 415) },
      },
    },
    async (req, reply) => {
      requireBody(req.body, 'a domain definition (libvirt XML, or JSON {xml | definition})');
      const json = typeof req.body === 'object' ? (req.body as { xml?: string; definition?: DomainDefinition; virtualHW?: number; vmxDir?: string; ignoreUnsupported?: boolean }) : undefined;
      const virtualHW = json?.virtualHW ?? req.query.virtualHW;
      if (virtualHW === undefined) throw new ApiError('invalid-arg', 'virtualHW is required (query parameter, or in the JSON body)');
      const xml = json ? json.xml : (req.body as string);
      if (json && (json.xml === undefined) === (json.definition === undefined)) {
        throw new ApiError('invalid-arg', 'body: give exactly one of xml and definition');
      }
      const ignoreUnsupported = json?.ignoreUnsupported ?? req.query.ignoreUnsupported ?? false;
      const vmx = mapConversion(() => {
        let def = json?.definition;
        if (xml !== undefined) {
          const report = parseDomainXmlReport(xml);
          if (report.unsupported.length > 0 && !ignoreUnsupported) {
            throw new ApiError('config-unsupported', `Unsupported domain XML: ${report.unsupported.join(', ')}`, {
              element: report.unsupported[0],
              unsupported: report.unsupported,
            });
          }
          def = report.definition;
        }
        return domainToVmx(def!, { virtualHW, vmxDir: json?.vmxDir ?? req.query.vmxDir, formatFileName: files.formatFileName });
      });
      return reply.type('text/plain; charset=utf-8').send(vmx);
    },
  );
};

export default plugin;
