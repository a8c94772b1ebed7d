// Test helper: a fake vSphere SOAP endpoint (plain node http) that behaves like ESX for
// RetrieveServiceContent and Login, then answers every other method the way `mode` says: garbage,
// truncated XML, oversized bodies, unknown faults... The XML here is hand-written test data.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMode =
  | 'garbage'
  | 'truncated'
  | 'empty'
  | 'not-envelope'
  | 'html-error'
  | 'json'
  | 'huge-chunked'
  | 'huge-declared'
  | 'deep-nesting'
  | 'doctype-entities'
  | 'unknown-fault'
  | 'fault-without-detail'
  | 'not-authenticated'
  | 'wrong-namespace';

const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';
const envelope = (body: string) => `${ENV_OPEN}${body}${ENV_CLOSE}`;

const SERVICE_CONTENT = envelope(
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>' +
    '<rootFolder type="Folder">ha-folder-root</rootFolder>' +
    '<propertyCollector type="PropertyCollector">ha-property-collector</propertyCollector>' +
    '<viewManager type="ViewManager">ViewManager</viewManager>' +
    '<about><name>VMware ESXi</name><fullName>VMware ESXi 7.0.0 build-1 (fake)</fullName><vendor>VMware, Inc.</vendor>' +
    '<version>7.0.0</version><build>1</build><localeVersion>INTL</localeVersion><localeBuild>000</localeBuild>' +
    '<osType>vmnix-x86</osType><productLineId>embeddedEsx</productLineId><apiType>HostAgent</apiType><apiVersion>7.0</apiVersion></about>' +
    '<sessionManager type="SessionManager">ha-sessionmgr</sessionManager>' +
    '<searchIndex type="SearchIndex">ha-searchindex</searchIndex>' +
    '</returnval></RetrieveServiceContentResponse>',
);

const LOGIN = envelope(
  '<LoginResponse xmlns="urn:vim25"><returnval><key>52b0-fake</key><userName>user</userName><fullName>user</fullName>' +
    '<loginTime>2024-01-01T00:00:00Z</loginTime><lastActiveTime>2024-01-01T00:00:00Z</lastActiveTime>' +
    '<locale>en</locale><messageLocale>en</messageLocale><extensionSession>false</extensionSession>' +
    '<ipAddress>127.0.0.1</ipAddress><callCount>0</callCount></returnval></LoginResponse>',
);

const fault = (detail: string, text = 'fake fault') =>
  envelope(`<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${text}</faultstring>${detail}</soapenv:Fault>`);

export interface FakeSoap {
  url: string;
  port: number;
  mode: FakeMode;
  /** Methods seen, in order. */
  calls: string[];
  /** Bytes of oversized bodies (huge-*). */
  hugeBytes: number;
  close(): Promise<void>;
}

function methodOf(body: string): string {
  return /<soapenv:Body><([A-Za-z_]\w*)[\s>]/.exec(body)?.[1] ?? 'unknown';
}

export async function startFakeSoap(o: { mode?: FakeMode; hugeBytes?: number } = {}): Promise<FakeSoap> {
  const fake: FakeSoap = { url: '', port: 0, mode: o.mode ?? 'garbage', calls: [], hugeBytes: o.hugeBytes ?? 4 * 1024 * 1024, close: async () => {} };
  const xml = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...extra });
    res.end(text);
  };

  const answer = (method: string, res: ServerResponse) => {
    if (method === 'RetrieveServiceContent') return xml(res, 200, SERVICE_CONTENT);
    if (method === 'Login') return xml(res, 200, LOGIN, { 'set-cookie': 'vmware_soap_session="fake-cookie-0123456789"; Path=/; HttpOnly; Secure' });
    if (method === 'Logout') return xml(res, 200, envelope('<LogoutResponse xmlns="urn:vim25"></LogoutResponse>'));
    switch (fake.mode) {
      case 'garbage':
        return xml(res, 200, '\u0000\u00ff<<this is %%% not &&& xml>>');
      case 'truncated':
        return xml(res, 200, envelope(`<${method}Response xmlns="urn:vim25"><returnval><obj type="Folder">ha-folder-root</obj><propSet><name>name</name><val xsi:type="xsd:string">x</val></propSet></returnval></${method}Response>`).slice(0, 300));
      case 'empty':
        return xml(res, 200, '');
      case 'not-envelope':
        return xml(res, 200, '<?xml version="1.0"?><html><body>hello</body></html>');
      case 'html-error':
        res.writeHead(503, { 'content-type': 'text/html' });
        return res.end('<html><body>Service Unavailable</body></html>');
      case 'json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"error":"wrong protocol"}');
      case 'huge-chunked': {
        // No content-length: the transport must stop reading at its limit.
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        res.write(`${ENV_OPEN}<${method}Response xmlns="urn:vim25"><returnval>`);
        const pump = () => {
          while (sent < fake.hugeBytes) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end(`</returnval></${method}Response>${ENV_CLOSE}`);
        };
        res.on('error', () => {});
        return pump();
      }
      case 'huge-declared': {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(fake.hugeBytes) });
        res.on('error', () => {});
        // Starts a body of the declared size; the client should give up from the header alone.
        return res.write(Buffer.alloc(64 * 1024, 'a'));
      }
      case 'deep-nesting': {
        // Within the size limit, so that the parser (not the transport) has to cope with it.
        const n = 120_000;
        return xml(res, 200, envelope(`<${method}Response xmlns="urn:vim25"><returnval>${'<a>'.repeat(n)}x${'</a>'.repeat(n)}</returnval></${method}Response>`));
      }
      case 'doctype-entities': {
        const ents = ['<!ENTITY a "aaaaaaaaaa">'];
        for (let i = 1; i < 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i === 1 ? '' : i - 1};`.repeat(10)}">`);
        return xml(res, 200, `<?xml version="1.0"?><!DOCTYPE lolz [${ents.join('')}]>${ENV_OPEN}<${method}Response xmlns="urn:vim25"><returnval>&a9;</returnval></${method}Response>${ENV_CLOSE}`);
      }
      case 'unknown-fault':
        return xml(res, 500, fault('<detail><FrobnicatorOverheatedFault xmlns="urn:vim25" xsi:type="FrobnicatorOverheated"><temperature>9000</temperature></FrobnicatorOverheatedFault></detail>', 'the frobnicator overheated'));
      case 'fault-without-detail':
        return xml(res, 500, fault('', 'something broke'));
      case 'not-authenticated':
        return xml(res, 500, fault('<detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="Folder">ha-folder-root</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail>', 'The session is not authenticated.'));
      case 'wrong-namespace':
        return xml(res, 200, envelope(`<${method}Response xmlns="urn:evil"><returnval>1</returnval></${method}Response>`));
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = methodOf(Buffer.concat(chunks).toString('utf8'));
      fake.calls.push(method);
      answer(method, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}/sdk`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
