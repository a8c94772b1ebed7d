// POST /v1/domain-xml/from-native and /to-native through inject() (no ESX: the app connects lazily).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ config: loadConfig({ ESXGATE_URI: 'esx://user@127.0.0.1:1/?no_verify=1' }), logger: false });
  await app.ready();
});
afterAll(() => app.close());

const VMX = [
  '.encoding = "windows-1252"',
  'config.version = "8"',
  'virtualHW.version = "19"',
  'displayName = "web01"',
  'annotation = "F\xfcr M\xfcller"',
  'memsize = "2048"',
  'numvcpus = "2"',
  'guestOS = "ubuntu-64"',
  'scsi0.present = "TRUE"',
  'scsi0.virtualDev = "pvscsi"',
  'scsi0:0.present = "TRUE"',
  'scsi0:0.fileName = "web01.vmdk"',
  'ethernet0.present = "TRUE"',
  'ethernet0.networkName = "VM Network"',
  'ethernet0.addressType = "vpx"',
  'ethernet0.generatedAddress = "00:50:56:80:12:34"',
].join('\n');

const fromNative = (payload: string | Buffer, headers: Record<string, string>, url = '/v1/domain-xml/from-native') =>
  app.inject({ method: 'POST', url, payload, headers });

describe('POST /v1/domain-xml/from-native', () => {
  it('converts raw VMX bytes, honouring .encoding, to libvirt XML', async () => {
    const res = await fromNative(Buffer.from(VMX, 'latin1'), { 'content-type': 'text/plain' }, '/v1/domain-xml/from-native?vmxDir=%5Bds1%5D%20web01');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toContain('<description>Für Müller</description>');
    expect(res.body).toContain("<source file='[ds1] web01/web01.vmdk'/>");
    expect(res.body).toContain("<controller type='scsi' index='0' model='vmpvscsi'/>");
  });

  it('answers the JSON definition for Accept: application/json and a JSON body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/domain-xml/from-native',
      headers: { accept: 'application/json' },
      payload: { vmx: VMX.replace(/\xfc/g, 'ü'), vmxDir: '[ds1] web01', datacenterPath: 'dc1' },
    });
    expect(res.statusCode).toBe(200);
    const def = res.json();
    expect(def).toMatchObject({ name: 'web01', description: 'Für Müller', memory: 2097152, vmware: { datacenterPath: 'dc1' } });
    expect(def.devices.interfaces[0]).toEqual({
      type: 'bridge',
      mac: { address: '00:50:56:80:12:34', type: 'generated' },
      source: { bridge: 'VM Network' },
    });
  });

  it('answers 400 problems naming the line or entry', async () => {
    const syntax = await fromNative('config.version = "8"\nthis is not vmx\n', { 'content-type': 'text/plain' });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(syntax.json()).toMatchObject({ code: 'invalid-arg', line: 2 });

    const entry = await fromNative('config.version = "8"\nvirtualHW.version = "7"\ndisplayName = "x"\nmemsize = "30"\n', { 'content-type': 'text/plain' });
    expect(entry.json()).toMatchObject({ status: 400, code: 'invalid-arg', entry: 'memsize' });

    const relative = await fromNative(VMX, { 'content-type': 'text/plain' });
    expect(relative.json().detail).toContain('vmxDir');

    const typo = await app.inject({ method: 'POST', url: '/v1/domain-xml/from-native', payload: { vmx: VMX, vmxdir: 'x' } });
    expect(typo.statusCode).toBe(400);
  });
});

describe('POST /v1/domain-xml/to-native', () => {
  const XML = `<domain type='vmware'>
  <name>web01</name>
  <uuid>564d9bef-acd9-b4e0-c8f0-aea8b9103515</uuid>
  <memory unit='GiB'>2</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='[ds1] web01/web01.vmdk'/>
      <target dev='sda' bus='scsi'/>
    </disk>
    <controller type='scsi' index='0' model='vmpvscsi'/>
  </devices>
</domain>`;

  it('converts XML to VMX text', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/domain-xml/to-native?virtualHW=19',
      headers: { 'content-type': 'application/xml' },
      payload: XML,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('virtualHW.version = "19"\n');
    expect(res.body).toContain('scsi0.virtualDev = "pvscsi"\n');
    expect(res.body).toContain('scsi0:0.fileName = "/vmfs/volumes/ds1/web01/web01.vmdk"\n');
    expect(res.body).toContain('memsize = "2048"\n');
  });

  it('converts a JSON definition', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/domain-xml/to-native',
      payload: { definition: { name: 'j', memory: 1048576, os: { type: 'hvm', firmware: 'efi' } }, virtualHW: 20 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('firmware = "efi"\n');
  });

  it('answers 400 problems for malformed, unsupported and inexpressible input', async () => {
    const malformed = await app.inject({ method: 'POST', url: '/v1/domain-xml/to-native?virtualHW=19', headers: { 'content-type': 'application/xml' }, payload: "<domain type='vmware'>\n<name>x" });
    expect(malformed.json()).toMatchObject({ status: 400, code: 'xml-error', line: 1, column: 1 });

    const withFeatures = XML.replace('<os>', '<features><acpi/></features><os>');
    const unsupported = await app.inject({ method: 'POST', url: '/v1/domain-xml/to-native?virtualHW=19', headers: { 'content-type': 'application/xml' }, payload: withFeatures });
    expect(unsupported.json()).toMatchObject({ status: 400, code: 'config-unsupported', element: '/domain/features' });
    const ignored = await app.inject({
      method: 'POST',
      url: '/v1/domain-xml/to-native?virtualHW=19&ignoreUnsupported=true',
      headers: { 'content-type': 'application/xml' },
      payload: withFeatures,
    });
    expect(ignored.statusCode).toBe(200);

    const inexpressible = await app.inject({
      method: 'POST',
      url: '/v1/domain-xml/to-native',
      payload: { definition: { name: 'j', memory: 1024, vcpu: { count: 2, current: 1 } }, virtualHW: 19 },
    });
    expect(inexpressible.json()).toMatchObject({ status: 400, code: 'config-unsupported' });

    const noHw = await app.inject({ method: 'POST', url: '/v1/domain-xml/to-native', headers: { 'content-type': 'application/xml' }, payload: XML });
    expect(noHw.json()).toMatchObject({ status: 400, code: 'invalid-arg' });

    const both = await app.inject({ method: 'POST', url: '/v1/domain-xml/to-native', payload: { xml: XML, definition: { name: 'j', memory: 1 }, virtualHW: 19 } });
    expect(both.json().detail).toContain('exactly one');

    const badDefinition = await app.inject({ method: 'POST', url: '/v1/domain-xml/to-native', payload: { definition: { name: 'j', memory: 1, devices: { disk: [] } }, virtualHW: 19 } });
    expect(badDefinition.statusCode).toBe(400);
  });
});

describe('a missing body', () => {
  // Without a content type Fastify validates no body schema: the handlers must say what is missing.
  it.each([
    ['/v1/domain-xml/from-native', /a VMX file .* is required/],
    ['/v1/domain-xml/from-native?datacenterPath=dc1', /a VMX file .* is required/],
    ['/v1/domain-xml/to-native?virtualHW=19', /a domain definition .* is required/],
    ['/v1/domain-xml/to-native?virtualHW=12&ignoreUnsupported=true', /a domain definition .* is required/],
  ])('POST %s without a body is a 400 invalid-arg problem', async (url, detail) => {
    const res = await app.inject({ method: 'POST', url });
    expect([res.statusCode, res.headers['content-type']]).toEqual([400, expect.stringMatching(/application\/problem\+json/)]);
    expect(res.json()).toMatchObject({ code: 'invalid-arg', detail: expect.stringMatching(detail) });
  });
});
