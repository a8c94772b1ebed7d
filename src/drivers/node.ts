// Node (libvirt virNodeGetInfo) and connection information.
import type { EsxConnection } from './connection.js';
import { mapVi } from './errors.js';

export interface NodeInfo {
  model: string;
  /** KiB */
  memory: number;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
  hostname: string;
  vendor: string;
  uuid: string;
}

export const NODE_PROPS = ['name', 'summary.hardware', 'hardware.numaInfo.numNodes'];

export class NodeDriver {
  constructor(readonly conn: EsxConnection) {}

  /** libvirt's esxNodeGetInfo: per-node sockets, cores per socket, threads per core. */
  async info(signal?: AbortSignal): Promise<NodeInfo> {
    return mapVi(async () => {
      const host = await this.conn.host(signal);
      const p = (await this.conn.vi.pc.object(host, NODE_PROPS, { signal }))?.props ?? {};
      const hw = (p['summary.hardware'] ?? {}) as Record<string, unknown>;
      const num = (k: string) => Number(hw[k] ?? 0);
      const nodes = Math.max(1, Number(p['hardware.numaInfo.numNodes'] ?? 1));
      const pkgs = Math.max(1, num('numCpuPkgs'));
      const cores = Math.max(1, num('numCpuCores'));
      return {
        model: String(hw.cpuModel ?? '').replace(/\s+/g, ' ').trim().slice(0, 32),
        memory: Math.floor(num('memorySize') / 1024),
        cpus: num('numCpuThreads'),
        mhz: num('cpuMhz'),
        nodes,
        sockets: Math.max(1, Math.floor(pkgs / nodes)),
        cores: Math.max(1, Math.floor(cores / pkgs)),
        threads: Math.max(1, Math.floor(num('numCpuThreads') / cores)),
        hostname: String(p.name ?? ''),
        vendor: String(hw.vendor ?? ''),
        uuid: String(hw.uuid ?? ''),
      };
    });
  }

  async connection(signal?: AbortSignal) {
    return mapVi(async () => {
      const s = await this.conn.scope(signal);
      const about = this.conn.vi.serviceContent.about;
      const host = s.host ? String((await this.conn.vi.pc.object(s.host, ['name'], { signal }))?.props.name ?? '') : null;
      const c = this.conn.config;
      return {
        uri: c.uri,
        type: about.apiType === 'VirtualCenter' ? ('vpx' as const) : ('esx' as const),
        product: about.fullName,
        version: about.version,
        build: about.build,
        apiVersion: about.apiVersion,
        instanceUuid: about.instanceUuid ?? null,
        hostname: host,
        datacenter: s.datacenter.value,
        autoAnswer: c.autoAnswer,
        noVerify: c.noVerify,
        poolSize: this.conn.vi.pool.size,
      };
    });
  }
}
