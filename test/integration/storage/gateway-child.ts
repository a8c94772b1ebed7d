// A gateway in its own process (for the memory test: its RSS is measured without the test
// client's buffers). Env: ESXGATE_URI, ESXGATE_PASSWORD. Prints its URL on stdout.
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';

const config = loadConfig({ ESXGATE_URI: process.env.ESXGATE_URI!, ESXGATE_PASSWORD: process.env.ESXGATE_PASSWORD!, ESXGATE_LOG_LEVEL: 'silent' });
const app = await buildApp({ config, logger: false });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
