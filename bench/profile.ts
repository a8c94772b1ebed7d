// Hot-path profile (issue 8 item 5), separate from `npm run bench`:
//   node --cpu-prof --cpu-prof-dir=.cache/prof --import tsx bench/profile.ts [vms]
// Starts a simulator, captures one RetrievePropertiesEx response of every VM's summary properties,
// then decodes it and serialises the resulting list page repeatedly (CPU ms per call), and checks
// that the list route serialises with its compiled response schema, not JSON.stringify.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUMMARY_PROPS, pageOf, summaryOf } from '../src/drivers/domain/index.js';
import { type ObjectContent, flatten } from '../src/vi/property-collector.js';
import { decodeResponse } from '../src/vi/soap/decode.js';
import { parseXml } from '../src/vi/soap/xml-parse.js';
import { startSim } from '../test/helpers/esxsim.js';
import { captureRetrieveXml } from './lib/capture.js';
import { benchGateway } from './lib/gateway.js';
import { createView, rawClient, viewSpec } from './lib/raw.js';
import { summarize } from './lib/stats.js';
import { pageSerializer } from './scenarios/decode.js';

const vms = Number(process.argv[2] ?? 5000);
const cpuMs = (fn: () => unknown, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    out.push((d.user + d.system) / 1000);
  }
  return summarize(out);
};

const sim = await startSim({ esx: true, vms, timeoutMs: 300_000 });
try {
  const raw = await rawClient(sim);
  const xml = await captureRetrieveXml(raw, viewSpec(await createView(raw, 'VirtualMachine'), 'VirtualMachine', SUMMARY_PROPS));
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `vms${vms}.xml`), xml);
  const p = cpuMs(() => parseXml(xml), 20);
  const d = cpuMs(() => decodeResponse('RetrievePropertiesEx', xml), 20);
  const decoded = decodeResponse('RetrievePropertiesEx', xml) as { objects: ObjectContent[] };
  const page = pageOf(decoded.objects.map((c) => summaryOf(flatten(c), new Set())), { limit: 10000 });
  const ser = await pageSerializer();
  const s1 = cpuMs(() => ser(page), 50);
  const s2 = cpuMs(() => JSON.stringify(page), 50);
  console.log(`${vms} VMs, ${(xml.length / 1024).toFixed(0)} KiB XML (saved in ${dir})`);
  console.log(`parse tree  p50 ${p.p50.toFixed(1)} CPU ms; decodeResponse p50 ${d.p50.toFixed(1)} CPU ms`);
  console.log(`serialise page: compiled schema p50 ${s1.p50.toFixed(2)} ms, JSON.stringify p50 ${s2.p50.toFixed(2)} ms`);
  await raw.close();

  // Does the live list route use its compiled serializer? Spy on JSON.stringify during one request.
  const g = await benchGateway(sim, '1', vms);
  const orig = JSON.stringify;
  let pageByStringify = false;
  JSON.stringify = ((v: unknown, ...rest: unknown[]) => {
    if (v && typeof v === 'object' && 'items' in (v as object) && 'total' in (v as object)) pageByStringify = true;
    return (orig as (...a: unknown[]) => string)(v, ...rest);
  }) as typeof JSON.stringify;
  await g.gw.app.inject({ url: '/v1/domains?limit=10000' });
  JSON.stringify = orig;
  console.log(`GET /v1/domains serialised by ${pageByStringify ? 'JSON.stringify (no compiled schema!)' : 'the compiled response schema (fast-json-stringify)'}`);
  await g.close();
} finally {
  await sim.stop();
}
