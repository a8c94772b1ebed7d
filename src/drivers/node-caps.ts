// Node capabilities and memory as libvirt's esx driver reports them: the host CPU's arch (x86_64
// when CPUID 0x80000001 EDX bit 29, long mode, is set, else i686), hvm guests of domain type
// 'vmware' for i686 and, on 64-bit hosts, x86_64; free memory = hardware size - quickStats usage.
import { escapeXml as x } from '../vi/soap/xml.js';
import type { EsxConnection } from './connection.js';
import { mapVi } from './errors.js';

export interface Capabilities {
  host: {
    uuid: string;
    cpu: { arch: 'x86_64' | 'i686'; model: string; vendor: string; sockets: number; cores: number; threads: number };
    migration: { live: boolean; transports: string[] };
  };
  guests: Array<{ osType: 'hvm'; arch: 'i686' | 'x86_64'; wordsize: 32 | 64; domainTypes: ['vmware'] }>;
}

export interface NodeMemory {
  /** KiB */
  total: number;
  free: number;
  used: number;
}

interface CpuIdInfo {
  level: number;
  edx?: string;
}

/** CPUID register strings run from bit 31 to bit 0 in groups of four ('0010:1000:...'). */
export function supportsLongMode(features: CpuIdInfo[] | undefined): boolean | null {
  const ext = features?.find((f) => f.level === -2147483647);
  if (!ext?.edx) return null;
  const bits = ext.edx.replace(/:/g, '');
  return bits.length === 32 ? bits[31 - 29] === '1' : null;
}

export class NodeCapsDriver {
  constructor(readonly conn: EsxConnection) {}

  async capabilities(signal?: AbortSignal): Promise<Capabilities> {
    return mapVi(async () => {
      const host = await this.conn.host(signal);
      const p = (await this.conn.vi.pc.object(host, ['hardware.cpuFeature', 'summary.hardware'], { signal }))?.props ?? {};
      const hw = (p['summary.hardware'] ?? {}) as Record<string, unknown>;
      // Hosts that do not report CPUID are ESX 5+ (64-bit only).
      const lm = supportsLongMode(p['hardware.cpuFeature'] as CpuIdInfo[] | undefined) ?? true;
      const pkgs = Math.max(1, Number(hw.numCpuPkgs ?? 1));
      const cores = Math.max(1, Number(hw.numCpuCores ?? 1));
      const guests: Capabilities['guests'] = [{ osType: 'hvm', arch: 'i686', wordsize: 32, domainTypes: ['vmware'] }];
      if (lm) guests.push({ osType: 'hvm', arch: 'x86_64', wordsize: 64, domainTypes: ['vmware'] });
      return {
        host: {
          uuid: String(hw.uuid ?? ''),
          cpu: {
            arch: lm ? 'x86_64' : 'i686',
            model: String(hw.cpuModel ?? '').replace(/\s+/g, ' ').trim(),
            vendor: String(hw.vendor ?? ''),
            sockets: pkgs,
            cores: Math.max(1, Math.floor(cores / pkgs)),
            threads: Math.max(1, Math.floor(Number(hw.numCpuThreads ?? cores) / cores)),
          },
          migration: { live: true, transports: ['vpxmigr'] },
        },
        guests,
      };
    });
  }

  /** virNodeGetFreeMemory / virNodeGetMemoryStats. */
  async memory(signal?: AbortSignal): Promise<NodeMemory> {
    return mapVi(async () => {
      const host = await this.conn.host(signal);
      const p = (await this.conn.vi.pc.object(host, ['hardware.memorySize', 'summary.quickStats.overallMemoryUsage'], { signal }))?.props ?? {};
      const total = Math.floor(Number(p['hardware.memorySize'] ?? 0) / 1024);
      const used = Math.min(total, Number(p['summary.quickStats.overallMemoryUsage'] ?? 0) * 1024);
      return { total, free: total - used, used };
    });
  }
}

export function capabilitiesXml(c: Capabilities): string {
  const cpu = c.host.cpu;
  const out = [
    '<capabilities>',
    '  <host>',
    ...(c.host.uuid ? [`    <uuid>${x(c.host.uuid)}</uuid>`] : []),
    '    <cpu>',
    `      <arch>${cpu.arch}</arch>`,
    ...(cpu.model ? [`      <model>${x(cpu.model)}</model>`] : []),
    ...(cpu.vendor ? [`      <vendor>${x(cpu.vendor)}</vendor>`] : []),
    `      <topology sockets='${cpu.sockets}' cores='${cpu.cores}' threads='${cpu.threads}'/>`,
    '    </cpu>',
    '    <migration_features>',
    ...(c.host.migration.live ? ['      <live/>'] : []),
    '      <uri_transports>',
    ...c.host.migration.transports.map((t) => `        <uri_transport>${x(t)}</uri_transport>`),
    '      </uri_transports>',
    '    </migration_features>',
    '  </host>',
  ];
  for (const g of c.guests) {
    out.push(
      '',
      '  <guest>',
      `    <os_type>${g.osType}</os_type>`,
      `    <arch name='${g.arch}'>`,
      `      <wordsize>${g.wordsize}</wordsize>`,
      ...g.domainTypes.map((d) => `      <domain type='${d}'/>`),
      '    </arch>',
      '  </guest>',
    );
  }
  out.push('</capabilities>', '');
  return out.join('\n');
}
