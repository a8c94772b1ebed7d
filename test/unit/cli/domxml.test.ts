// esxgate domxml-from-native / domxml-to-native over libvirt's shared inputs. Every input runs
// in-process through the command functions; a few run as real processes (npx tsx src/cli.ts) to
// check exit codes and that errors are one line without a stack trace. ESXGATE_CLI_SPAWN_ALL=1
// spawns a process for every vmx2xml input as well (slow: a few seconds per process).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { domxmlFromNative, domxmlToNative, type CliIo } from '../../../src/cli/domxml.js';
import { normalizeNewlines, vmxEntries, xmlTree } from '../../conformance/compare.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = path.resolve(repoRoot, '../shared/conformance/libvirt');
const present = existsSync(path.join(dataDir, 'cases.json'));
const cases = present
  ? (JSON.parse(readFileSync(path.join(dataDir, 'cases.json'), 'utf8')) as {
      vmx2xml: { name: string; expectFailure?: boolean; options?: { datacenterPath?: string } }[];
      xml2vmx: { name: string; output: string; virtualHWVersion: number }[];
    })
  : { vmx2xml: [], xml2vmx: [] };
const VMX_DIR = '[datastore] directory';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: { write: (t: string) => (io.out += t) },
    stderr: { write: (t: string) => (io.err += t) },
  };
  return io;
}

const fromArgs = (c: (typeof cases.vmx2xml)[number]) => [
  path.join(dataDir, 'vmx2xml', `${c.name}.vmx`),
  '--vmx-dir',
  VMX_DIR,
  ...(c.options?.datacenterPath ? ['--datacenter-path', c.options.datacenterPath] : []),
];

function spawnCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'src/cli.ts', ...args], { cwd: repoRoot, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const noStack = (stderr: string) => {
  expect(stderr).toMatch(/^esxgate: \S/);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe.skipIf(!present)('esxgate domxml-from-native (in-process, every shared input)', () => {
  for (const c of cases.vmx2xml) {
    it(c.name, async () => {
      const io = capture();
      const code = await domxmlFromNative(fromArgs(c), io);
      if (c.expectFailure) {
        expect(code).toBe(1);
        expect(io.out).toBe('');
        noStack(io.err);
        return;
      }
      expect(io.err).toBe('');
      expect(code).toBe(0);
      expect(xmlTree(io.out)).toEqual(xmlTree(normalizeNewlines(readFileSync(path.join(dataDir, 'vmx2xml', `${c.name}.xml`), 'utf8'))));
    });
  }
});

describe.skipIf(!present)('esxgate domxml-to-native (in-process, every shared input)', () => {
  for (const c of cases.xml2vmx) {
    it(c.name, async () => {
      const io = capture();
      const code = await domxmlToNative([path.join(dataDir, 'xml2vmx', `xml2vmx-${c.name}.xml`), '--virtual-hw', String(c.virtualHWVersion)], io);
      expect(io.err).toBe('');
      expect(code).toBe(0);
      expect(vmxEntries(io.out)).toEqual(vmxEntries(readFileSync(path.join(dataDir, 'xml2vmx', `xml2vmx-${c.output}.vmx`), 'utf8')));
    });
  }
});

describe('esxgate domxml commands: bad input', () => {
  it('exits 2 with usage for bad arguments', async () => {
    for (const args of [[], ['a.xml'], ['a.xml', '--virtual-hw', 'x'], ['a.xml', 'b.xml', '--virtual-hw', '7'], ['a.xml', '--bogus']]) {
      const io = capture();
      expect(await domxmlToNative(args, io)).toBe(2);
      expect(io.err).toContain('usage: esxgate domxml-to-native');
    }
  });

  it('exits 1 with one line for unreadable or unsupported input', async () => {
    const io = capture();
    expect(await domxmlFromNative(['/nonexistent.vmx'], io)).toBe(1);
    expect(io.err).toBe("esxgate: cannot read '/nonexistent.vmx': no such file\n");
  });
});

describe.skipIf(!present)('esxgate process (npx tsx src/cli.ts)', () => {
  it('converts, fails cleanly and reports usage with the right exit codes', async () => {
    const ok = cases.vmx2xml.find((c) => c.name === 'esx-in-the-wild-1') ?? cases.vmx2xml.find((c) => !c.expectFailure)!;
    const bad = cases.vmx2xml.find((c) => c.expectFailure)!;
    const [converted, failed, toNative, usage, malformed] = await Promise.all([
      spawnCli(['domxml-from-native', ...fromArgs(ok)]),
      spawnCli(['domxml-from-native', ...fromArgs(bad)]),
      spawnCli(['domxml-to-native', path.join(dataDir, 'xml2vmx', 'xml2vmx-esx-in-the-wild-9.xml'), '--virtual-hw', '10']),
      spawnCli(['domxml-to-native', 'x.xml']),
      spawnCli(['domxml-from-native', path.join(dataDir, 'cases.json')]),
    ]);
    expect(converted.code).toBe(0);
    expect(xmlTree(converted.stdout)).toEqual(xmlTree(normalizeNewlines(readFileSync(path.join(dataDir, 'vmx2xml', `${ok.name}.xml`), 'utf8'))));
    expect(failed.code).toBe(1);
    noStack(failed.stderr);
    expect(toNative.code).toBe(0);
    expect(vmxEntries(toNative.stdout)['virtualHW.version']).toBe('10');
    expect(usage.code).toBe(2);
    expect(malformed.code).toBe(1);
    noStack(malformed.stderr);
    expect(malformed.stderr).toContain('VMX line 1');
  }, 180_000);

  it.skipIf(process.env.ESXGATE_CLI_SPAWN_ALL !== '1')(
    'converts every shared vmx2xml input as a process',
    async () => {
      const pending = [...cases.vmx2xml];
      const failures: string[] = [];
      const worker = async () => {
        for (let c = pending.shift(); c; c = pending.shift()) {
          const r = await spawnCli(['domxml-from-native', ...fromArgs(c)]);
          if (c.expectFailure ? r.code === 0 || !/^esxgate: /.test(r.stderr) : r.code !== 0) failures.push(`${c.name}: ${r.code} ${r.stderr}`);
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      expect(failures).toEqual([]);
    },
    900_000,
  );
});
