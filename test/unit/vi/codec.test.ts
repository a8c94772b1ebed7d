import { describe, expect, it } from 'vitest';
import { ViEncodeError, ViFault } from '../../../src/vi/errors.js';
import { decodeRequest, decodeResponse } from '../../../src/vi/soap/decode.js';
import { encodeRequest } from '../../../src/vi/soap/encode.js';

const env = (body: string, ns = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"') =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${ns}><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

describe('SOAP encoder', () => {
  it('writes parameters in schema order whatever the object order, escaping text', () => {
    const xml = encodeRequest('Login', { password: `p<&>"'\r`, userName: 'root', _this: { type: 'SessionManager', value: 'ha-sessionmgr' } });
    expect(xml).toContain('<Login xmlns="urn:vim25"><_this type="SessionManager">ha-sessionmgr</_this><userName>root</userName><password>p&lt;&amp;&gt;&quot;&apos;&#13;</password></Login>');
    expect(decodeRequest(xml).params.password).toBe(`p<&>"'\r`);
  });

  it('writes xsi:type for polymorphic fields and subtypes', () => {
    const xml = encodeRequest('ReconfigVM_Task', {
      _this: { type: 'VirtualMachine', value: '12' },
      spec: {
        extraConfig: [{ key: 'a', value: 'b' }],
        deviceChange: [{ operation: 'add', device: { _type: 'VirtualE1000', key: -1, backing: { _type: 'VirtualEthernetCardNetworkBackingInfo', deviceName: 'VM Network' } } }],
      },
    });
    expect(xml).toContain('<extraConfig xsi:type="OptionValue"><key>a</key><value xsi:type="xsd:string">b</value></extraConfig>');
    expect(xml).toContain('<deviceChange xsi:type="VirtualDeviceConfigSpec"><operation>add</operation><device xsi:type="VirtualE1000"><key>-1</key><backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>VM Network</deviceName></backing></device></deviceChange>');
  });

  it('rejects unknown fields, wrong shapes and characters XML cannot carry', () => {
    expect(() => encodeRequest('PowerOnVM_Task', { _this: { type: 'VirtualMachine', value: '1' }, bogus: 1 })).toThrow(ViEncodeError);
    expect(() => encodeRequest('PowerOnVM_Task', { _this: 'vm-1' })).toThrow(/ManagedObjectReference/);
    expect(() => encodeRequest('Login', { _this: { type: 'SessionManager', value: 'x' }, userName: 'a\u0001b', password: '' })).toThrow(/XML cannot carry/);
    expect(() => encodeRequest('NoSuchMethod', {})).toThrow(/unknown vim25 method/);
  });
});

describe('SOAP decoder', () => {
  it('matches namespaces by URI, not prefix (the simulator writes XMLSchema-instance:type)', () => {
    const body = `<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-9</obj><propSet><name>config.hardware.numCPU</name><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" xmlns:q="http://www.w3.org/2001/XMLSchema" XMLSchema-instance:type="q:int">4</val></propSet></objects></returnval></RetrievePropertiesExResponse>`;
    const r = decodeResponse('RetrievePropertiesEx', env(body, '')) as any;
    expect(r.objects[0].propSet[0].val).toBe(4);
    // A prefix bound to another namespace is not xsi.
    const body2 = body.replace('xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"', 'xmlns:XMLSchema-instance="urn:other"');
    expect((decodeResponse('RetrievePropertiesEx', env(body2, '')) as any).objects[0].propSet[0].val).toBe('4');
  });

  it('keeps one-element arrays as arrays and types array items by element name when xsi:type is missing', () => {
    const body = `<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-9</obj><propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice"><VirtualDisk><key>2000</key><capacityInKB>1024</capacityInKB></VirtualDisk></val></propSet><propSet><name>network</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Network">network-7</ManagedObjectReference></val></propSet></objects></returnval></RetrievePropertiesExResponse>`;
    const r = decodeResponse('RetrievePropertiesEx', env(body)) as any;
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0].propSet[0].val).toEqual([{ _type: 'VirtualDisk', key: 2000, capacityInKB: 1024 }]);
    expect(r.objects[0].propSet[1].val).toEqual([{ type: 'Network', value: 'network-7' }]);
  });

  it('decodes faults with their vim25 type and fields, and walks base types', () => {
    const body = `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The attempted operation cannot be performed in the current state (Powered on).</faultstring><detail><InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><requestedState>poweredOn</requestedState><existingState>poweredOn</existingState></InvalidPowerStateFault></detail></soapenv:Fault>`;
    let err: ViFault | undefined;
    try { decodeResponse('PowerOnVM_Task', env(body)); } catch (e) { err = e as ViFault; }
    expect(err).toBeInstanceOf(ViFault);
    expect(err!.fault).toBe('InvalidPowerState');
    expect(err!.is('InvalidState')).toBe(true);
    expect(err!.is('VimFault')).toBe(true);
    expect(err!.is('NotAuthenticated')).toBe(false);
    expect(err!.detail).toEqual({ requestedState: 'poweredOn', existingState: 'poweredOn' });
  });

  it('reports garbage and non-SOAP bodies as protocol errors', () => {
    expect(() => decodeResponse('CurrentTime', '<html><body>502 Bad Gateway</body></html>')).toThrow(/non-SOAP/);
    expect(() => decodeResponse('CurrentTime', '')).toThrow();
    const whole = env('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2020-01-01T00:00:00Z</returnval></CurrentTimeResponse>');
    expect(decodeResponse('CurrentTime', whole)).toBe('2020-01-01T00:00:00Z');
    for (const cut of [10, 100, whole.length - 5]) expect(() => decodeResponse('CurrentTime', whole.slice(0, cut))).toThrow(/incomplete/);
  });

  it('decodes numeric character references and entities in text', () => {
    const body = `<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><rootFolder type="Folder">ha-folder-root</rootFolder><propertyCollector type="PropertyCollector">ha-property-collector</propertyCollector><about><name>a&#10;b &amp; &lt;c&gt;</name></about></returnval></RetrieveServiceContentResponse>`;
    const r = decodeResponse('RetrieveServiceContent', env(body)) as any;
    expect(r.about.name).toBe('a\nb & <c>');
  });
});
