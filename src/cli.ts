#!/usr/bin/env node
// esxgate command line: `serve` (default) runs the gateway; conversion commands work offline.
const [cmd = 'serve', ...args] = process.argv.slice(2);

const usage = `usage: esxgate [serve]
       esxgate domxml-from-native FILE.vmx [--vmx-dir "[datastore] directory"] [--datacenter-path P]
       esxgate domxml-to-native FILE.xml --virtual-hw N
       esxgate openapi            print the OpenAPI document`;

async function run(): Promise<number> {
  switch (cmd) {
    case 'serve':
      await (await import('./server.js')).main();
      return 0;
    case 'domxml-from-native':
      return (await import('./cli/domxml.js')).domxmlFromNative(args);
    case 'domxml-to-native':
      return (await import('./cli/domxml.js')).domxmlToNative(args);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${usage}\n`);
      return 0;
    default:
      process.stderr.write(`esxgate: unknown command "${cmd}"\n${usage}\n`);
      return 2;
  }
}

run().then(
  (code) => {
    if (code) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`esxgate: ${(e as Error).message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
