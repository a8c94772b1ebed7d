// Scenario 7 (issue 8 item 5), as table rows: the two CPU hot paths of a large list, measured in
// isolation on a real 5000-VM RetrievePropertiesEx response.
// - XML: decodeResponse (schema-driven decode) vs fast-xml-parser's parse alone (the floor: every
//   client built on that parser pays it).
// - JSON: the list route's compiled response serializer (fast-json-stringify via Fastify's
//   response schema) vs JSON.stringify of the same page.
import Fastify from 'fastify';
import { isDeepStrictEqual } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { DomainPageSchema, DomainSummarySchema } from '../../src/api/domains/schemas.js';
import { SUMMARY_PROPS, type DomainSummary, pageOf, summaryOf } from '../../src/drivers/domain/index.js';
import { flatten, type ObjectContent } from '../../src/vi/property-collector.js';
import { decodeResponse } from '../../src/vi/soap/decode.js';
import { captureRetrieveXml } from '../lib/capture.js';
import { type Raw, createView, viewSpec } from '../lib/raw.js';
import { summarize } from '../lib/stats.js';
import { type Row, ratioOf } from '../lib/table.js';

export interface DecodeOptions {
  vms: number;
  iterations: number;
}

/** CPU ms (user + system) per call: less disturbed than wall time on a shared machine. */
function sample(fn: () => unknown, iterations: number): number[] {
  for (let i = 0; i < 2; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    out.push((d.user + d.system) / 1000);
  }
  return out;
}

/** The serializer Fastify compiles for the list route's 200 response (same schemas, same compiler). */
export async function pageSerializer(): Promise<(page: unknown) => string> {
  const app = Fastify({ logger: false });
  app.addSchema(DomainSummarySchema);
  app.addSchema(DomainPageSchema);
  let ser: ((p: unknown) => string) | undefined;
  app.get('/x', { schema: { response: { 200: { $ref: 'DomainPage' } } } }, async (_req, reply) => {
    ser = reply.getSerializationFunction('200') as (p: unknown) => string;
    return { items: [], total: 0 };
  });
  await app.inject({ url: '/x' });
  await app.close();
  if (!ser) throw new Error('Fastify compiled no serializer for the DomainPage response');
  return ser;
}

export async function decodeScenario(raw: Raw, o: DecodeOptions): Promise<Row[]> {
  const view = await createView(raw, 'VirtualMachine');
  const xml = await captureRetrieveXml(raw, viewSpec(view, 'VirtualMachine', SUMMARY_PROPS));
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: false });
  const dec = summarize(sample(() => decodeResponse('RetrievePropertiesEx', xml), o.iterations));
  const floor = summarize(sample(() => parser.parse(xml), o.iterations));

  const decoded = decodeResponse('RetrievePropertiesEx', xml) as { objects: ObjectContent[] };
  const page = pageOf(decoded.objects.map((c) => summaryOf(flatten(c), new Set<string>())), { limit: 10000 });
  const ser = await pageSerializer();
  if (!isDeepStrictEqual(JSON.parse(ser(page)), JSON.parse(JSON.stringify(page)))) throw new Error('the compiled serializer and JSON.stringify disagree on the page');
  const fjs = summarize(sample(() => ser(page), o.iterations * 3));
  const std = summarize(sample(() => JSON.stringify(page), o.iterations * 3));
  const items = (page.items as DomainSummary[]).length;
  const kb = Math.round(xml.length / 1024);
  return [
    { scenario: `decode RetrievePropertiesEx, ${o.vms} VMs (${kb} KiB XML)`, metric: 'p50 CPU ms', gateway: dec.p50, raw: floor.p50, ratio: ratioOf(dec.p50, floor.p50), goal: '', met: null, note: 'raw = fast-xml-parser parse only' },
    { scenario: `serialise list page, ${items} domains`, metric: 'p50 CPU ms', gateway: fjs.p50, raw: std.p50, ratio: ratioOf(fjs.p50, std.p50), goal: '', met: null, note: 'fast-json-stringify vs JSON.stringify' },
  ];
}
