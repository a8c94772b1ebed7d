// Captures the raw XML of one RetrievePropertiesEx response (for decode micro-benchmarks and the
// CPU profile), on the baseline's session. The cookie is only put on the request, never printed.
import { encodeRequest } from '../../src/vi/soap/encode.js';
import type { Raw } from './raw.js';

export async function captureRetrieveXml(raw: Raw, specSet: unknown[]): Promise<string> {
  const body = encodeRequest('RetrievePropertiesEx', { _this: raw.vi.serviceContent.propertyCollector, specSet, options: {} });
  const res = await raw.vi.transport.request({
    path: raw.vi.transport.path,
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:vim25/7.0', cookie: raw.session.cookie ?? '' },
    body,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`RetrievePropertiesEx capture: HTTP ${res.statusCode}`);
  return text;
}
