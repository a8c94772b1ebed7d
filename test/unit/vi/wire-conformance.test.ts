// Every SOAP request and response recorded from real vCenter servers (../shared/conformance/vim25-wire)
// must parse; requests must survive decode -> encode -> decode unchanged.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ViFault } from '../../../src/vi/errors.js';
import { decodeRequest, decodeResponse } from '../../../src/vi/soap/decode.js';
import { encodeRequest } from '../../../src/vi/soap/encode.js';

const dir = resolve(import.meta.dirname, '../../../../shared/conformance/vim25-wire');
const present = existsSync(resolve(dir, 'index.json'));
if (!present) console.warn(`vim25-wire conformance skipped: ${dir} is absent`);

interface Entry { file: string | null; response: string; method: string; status: number; fault: string | null }
const entries: Entry[] = present ? JSON.parse(readFileSync(resolve(dir, 'index.json'), 'utf8')) : [];
const soap = entries.filter((e) => e.file);

describe.skipIf(!present)('vim25 wire recorded from real vCenter', () => {
  it.each(soap.map((e) => [e.response, e] as const))('response %s parses', (_n, e) => {
    const text = readFileSync(resolve(dir, e.response), 'utf8');
    if (e.fault) {
      let err: unknown;
      try {
        decodeResponse(e.method, text);
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(ViFault);
      expect((err as ViFault).fault).toBe(e.fault);
      return;
    }
    const v = decodeResponse(e.method, text);
    if (e.method === 'RetrieveServiceContent') {
      const sc = v as Record<string, any>;
      expect(sc.rootFolder).toMatchObject({ type: 'Folder' });
      expect(sc.propertyCollector).toEqual({ type: 'PropertyCollector', value: 'propertyCollector' });
      expect(typeof sc.about.apiVersion).toBe('string');
    }
    if (e.method === 'RetrievePropertiesEx' && v) {
      const r = v as { objects: Array<{ obj: { type: string; value: string }; propSet?: unknown[] }> };
      expect(Array.isArray(r.objects)).toBe(true);
      for (const o of r.objects) {
        expect(typeof o.obj.type).toBe('string');
        if (o.propSet) expect(Array.isArray(o.propSet)).toBe(true);
      }
    }
  });

  it.each(soap.map((e) => [e.file!, e] as const))('request %s round-trips', (_n, e) => {
    const text = readFileSync(resolve(dir, e.file!), 'utf8');
    if (e.method === 'Fetch') return; // vim25 8.0 method, newer than the schema we generate from
    const first = decodeRequest(text);
    expect(first.method).toBe(e.method);
    const again = decodeRequest(encodeRequest(first.method, first.params));
    expect(again).toEqual(first);
  });

  it('decodes typed details: a VM config with devices, arrays kept as arrays', () => {
    const e = soap.find((x) => x.response.includes('vm_explode') && readFileSync(resolve(dir, x.response), 'utf8').includes('VirtualMachineConfigInfo'))!;
    const r = decodeResponse('RetrievePropertiesEx', readFileSync(resolve(dir, e.response), 'utf8')) as any;
    const cfg = r.objects.flatMap((o: any) => o.propSet ?? []).find((p: any) => p.name === 'config').val;
    expect(cfg._type).toBe('VirtualMachineConfigInfo');
    expect(Array.isArray(cfg.hardware.device)).toBe(true);
    const disk = cfg.hardware.device.find((d: any) => d._type === 'VirtualDisk');
    expect(typeof disk.capacityInKB).toBe('number');
    expect(typeof disk.backing.fileName).toBe('string');
    expect(typeof cfg.template).toBe('boolean');
  });

  it('maps the bad-password Login to InvalidLogin with its message', () => {
    const text = readFileSync(resolve(dir, 'basic_connection_bad_password/01-Login.response.xml'), 'utf8');
    expect(() => decodeResponse('Login', text)).toThrow(/incorrect user name or password/);
  });
});
