// Writes openapi/openapi.json from the route schemas (npm run openapi). The app is built against a
// URI that points nowhere: connecting to ESX is lazy, so app.ready() + app.swagger() needs no ESX.
// test/unit/openapi.test.ts compares the committed file with generateOpenApi() to catch staleness.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export const OPENAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'openapi', 'openapi.json');

/** Recursively sorts object keys so the file does not change with registration details. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The OpenAPI document as the file holds it: sorted keys, 2-space indent, trailing newline. */
export async function generateOpenApi(): Promise<string> {
  // Only the documented surface matters: no tokens, rate limit or CORS, which do not change routes.
  const config = loadConfig({ ESXGATE_URI: 'esx://openapi.invalid/?no_verify=1', ESXGATE_LOG_LEVEL: 'silent' });
  const app = await buildApp({ config, logger: false });
  try {
    await app.ready();
    return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await generateOpenApi();
  mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
  writeFileSync(OPENAPI_FILE, text);
  console.log(`wrote ${OPENAPI_FILE} (${Object.keys(JSON.parse(text).paths).length} paths)`);
}
