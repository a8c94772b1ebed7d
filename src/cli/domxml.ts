// `esxgate domxml-from-native` and `esxgate domxml-to-native`: virsh's commands of the same name
// for the 'vmware-vmx' format, offline. File names follow libvirt's test harness mapping
// ('[ds] path' <-> '/vmfs/volumes/ds/path', bare names in --vmx-dir). Errors are one line on
// stderr and a non-zero exit, never a stack trace.
import { readFile } from 'node:fs/promises';
import { ConversionError } from '../domain/errors.js';
import { formatDomainXml } from '../domain-xml/format.js';
import { parseDomainXmlReport } from '../domain-xml/parse.js';
import { harnessFileNames } from '../vmx/file-names.js';
import { domainToVmx } from '../vmx/from-domain.js';
import { vmxToDomain } from '../vmx/to-domain.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const FROM_USAGE = 'usage: esxgate domxml-from-native FILE.vmx [--vmx-dir "[datastore] directory"] [--datacenter-path P]';
const TO_USAGE = 'usage: esxgate domxml-to-native FILE.xml --virtual-hw N [--vmx-dir "[datastore] directory"] [--ignore-unsupported]';

class UsageError extends Error {}

interface Parsed {
  file: string;
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[], valued: string[], switches: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (switches.includes(name) && eq < 0) flags.set(name, true);
    else if (valued.includes(name)) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option ${arg}`);
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing input file' : 'too many arguments');
  return { file: positional[0]!, flags };
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `cannot read '${file}': no such file` : `cannot read '${file}': ${(e as Error).message}`);
  }
}

async function run(io: CliIo, usage: string, body: () => Promise<string>): Promise<number> {
  try {
    io.stdout.write(await body());
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`esxgate: ${e.message}\n${usage}\n`);
      return 2;
    }
    // Conversion errors already name the line, entry or element path.
    io.stderr.write(`esxgate: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

const optional = (value: string | true | undefined) => (typeof value === 'string' ? value : undefined);

/** VMX file -> libvirt domain XML on stdout. Returns the exit status. */
export function domxmlFromNative(argv: string[], io: CliIo = process): Promise<number> {
  return run(io, FROM_USAGE, async () => {
    const { file, flags } = parseArgs(argv, ['vmx-dir', 'datacenter-path'], []);
    const vmx = await readInput(file);
    const def = vmxToDomain(new Uint8Array(vmx), {
      vmxDir: optional(flags.get('vmx-dir')),
      datacenterPath: optional(flags.get('datacenter-path')),
      parseFileName: harnessFileNames.parseFileName,
    });
    return formatDomainXml(def);
  });
}

/** libvirt domain XML file -> VMX on stdout. Returns the exit status. */
export function domxmlToNative(argv: string[], io: CliIo = process): Promise<number> {
  return run(io, TO_USAGE, async () => {
    const { file, flags } = parseArgs(argv, ['virtual-hw', 'vmx-dir'], ['ignore-unsupported']);
    const hw = flags.get('virtual-hw');
    if (hw === undefined) throw new UsageError('option --virtual-hw is required');
    if (typeof hw !== 'string' || !/^\d+$/.test(hw) || Number(hw) < 4) {
      throw new UsageError(`--virtual-hw must be an integer of 4 or higher, not '${String(hw)}'`);
    }
    const xml = (await readInput(file)).toString('utf8');
    const { definition, unsupported } = parseDomainXmlReport(xml);
    if (unsupported.length > 0) {
      if (flags.get('ignore-unsupported') !== true) {
        throw new ConversionError('xml-unsupported', `Unsupported domain XML: ${unsupported.join(', ')} (--ignore-unsupported drops them)`);
      }
      io.stderr.write(`esxgate: warning: ignoring unsupported domain XML: ${unsupported.join(', ')}\n`);
    }
    return domainToVmx(definition, {
      virtualHW: Number(hw),
      vmxDir: optional(flags.get('vmx-dir')),
      formatFileName: harnessFileNames.formatFileName,
      // As libvirt's xml2vmx harness: a SCSI controller of model 'auto' becomes lsilogic.
      autodetectScsiControllerModel: () => 'lsilogic',
    });
  });
}
