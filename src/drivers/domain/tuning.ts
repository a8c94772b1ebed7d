// PATCH /v1/domains/{domain}: libvirt's tuning calls as fields of one request — memory size
// (virDomainSetMaxMemory), current memory (virDomainSetMemory: the ESX memory limit), vcpus
// (virDomainSetVcpus), scheduler parameters (virDomainSetSchedulerParameters: shares,
// reservation, limit) and autostart (virDomainSetAutostart: HostAutoStartManager). Everything
// but autostart goes into one ReconfigVM_Task.
import type { MoRef } from '../../vi/soap/encode.js';
import { ApiError, mapVi } from '../errors.js';
import type { Operations } from '../operations/types.js';
import { reconfigure } from './define.js';
import type { Vi } from './from-config.js';
import type { DomainDriver } from './index.js';
import { nameFromVi } from './state.js';

export type SharesValue = number | 'low' | 'normal' | 'high';

export interface Allocation {
  shares?: SharesValue;
  /** CPU: MHz; memory: KiB. */
  reservation?: number;
  /** CPU: MHz; memory: KiB; -1 = unlimited. */
  limit?: number;
}

export interface DomainPatch {
  /** KiB: the memory size (the `memory` of GET; libvirt's max memory). */
  memory?: number;
  /** libvirt's name for `memory`. */
  maxMemory?: number;
  /** KiB: memory the guest may use (ESX memory limit; the definition's currentMemory). */
  currentMemory?: number;
  vcpus?: number;
  scheduler?: { cpu?: Allocation; memory?: Allocation };
  autostart?: boolean;
}

const kibToMb = (kib: number) => Math.ceil(kib / 1024);

function allocation(a: Allocation, memory: boolean): Vi {
  const out: Vi = {};
  const conv = (v: number) => (memory && v >= 0 ? kibToMb(v) : v);
  if (a.reservation !== undefined) out.reservation = conv(a.reservation);
  if (a.limit !== undefined) out.limit = conv(a.limit);
  if (a.shares !== undefined) out.shares = typeof a.shares === 'number' ? { level: 'custom', shares: a.shares } : { level: a.shares, shares: 0 };
  return out;
}

/** The ReconfigVM_Task spec for a patch (without autostart); undefined when nothing to change. */
export function patchSpec(p: DomainPatch, current: { memoryMB: number }): Vi | undefined {
  if (p.memory !== undefined && p.maxMemory !== undefined && p.memory !== p.maxMemory) {
    throw new ApiError('invalid-arg', 'memory and maxMemory name the same setting; give one');
  }
  const spec: Vi = {};
  const size = p.memory ?? p.maxMemory;
  if (size !== undefined) spec.memoryMB = Math.ceil(size / 1024 / 4) * 4;
  if (p.vcpus !== undefined) spec.numCPUs = p.vcpus;
  const memAlloc: Vi = p.scheduler?.memory ? allocation(p.scheduler.memory, true) : {};
  if (p.currentMemory !== undefined) {
    const max = (spec.memoryMB ?? current.memoryMB) * 1024;
    if (p.currentMemory > max) throw new ApiError('invalid-arg', `currentMemory (${p.currentMemory} KiB) exceeds the memory size (${max} KiB)`);
    if (memAlloc.limit !== undefined) throw new ApiError('invalid-arg', 'currentMemory is the memory limit; do not also give scheduler.memory.limit');
    memAlloc.limit = p.currentMemory === max ? -1 : kibToMb(p.currentMemory);
  }
  if (Object.keys(memAlloc).length) spec.memoryAllocation = memAlloc;
  if (p.scheduler?.cpu) spec.cpuAllocation = allocation(p.scheduler.cpu, false);
  return Object.keys(spec).length ? spec : undefined;
}

export async function patchDomain(drv: DomainDriver, ops: Operations, domain: string, p: DomainPatch, signal?: AbortSignal): Promise<void> {
  const found = await drv.lookup(domain, ['name', 'config.uuid', 'config.hardware.memoryMB', 'runtime.powerState', 'runtime.host'], signal);
  const name = nameFromVi(String(found.props.name));
  const spec = patchSpec(p, { memoryMB: Number(found.props['config.hardware.memoryMB'] ?? 0) });
  // libvirt's ESX driver changes the memory size only while the domain is off; so does ESX
  // (without hot-add) - say so before calling.
  if ((spec?.memoryMB !== undefined || spec?.numCPUs !== undefined) && found.props['runtime.powerState'] !== 'poweredOff') {
    throw new ApiError('operation-invalid', `domain '${name}' must be shut off to change its memory size or vcpus`, { fault: 'InvalidPowerState' });
  }
  if (spec) await mapVi(() => reconfigure(drv, ops, found.ref, { name, uuid: found.props['config.uuid'] as string | undefined }, spec, 'domain.tune', signal));
  if (p.autostart !== undefined) await setAutostart(drv, found.ref, found.props['runtime.host'] as MoRef | undefined, p.autostart, signal);
}

/** libvirt's esxDomainSetAutostart: enabling one domain turns the host's autostart on. */
async function setAutostart(drv: DomainDriver, vm: MoRef, host: MoRef | undefined, on: boolean, signal?: AbortSignal): Promise<void> {
  await mapVi(async () => {
    const h = host ?? (await drv.conn.host(signal));
    const mgr = (await drv.conn.vi.pc.object(h, ['configManager.autoStartManager'], { signal }))?.props['configManager.autoStartManager'] as MoRef | undefined;
    if (!mgr) throw new ApiError('operation-unsupported', 'the host has no auto-start manager');
    const cfg = (await drv.conn.vi.pc.object(mgr, ['config'], { signal }))?.props.config as Vi | undefined;
    const spec: Vi = {
      powerInfo: [
        on
          ? { key: vm, startOrder: -1, startDelay: -1, waitForHeartbeat: 'systemDefault', startAction: 'powerOn', stopDelay: -1, stopAction: 'systemDefault' }
          : { key: vm, startOrder: -1, startDelay: -1, waitForHeartbeat: 'systemDefault', startAction: 'none', stopDelay: -1, stopAction: 'none' },
      ],
    };
    if (on && !cfg?.defaults?.enabled) spec.defaults = { enabled: true };
    await drv.conn.call('ReconfigureAutostart', { _this: mgr, spec }, { signal });
    await drv.mirror?.refreshAutostart(mgr);
  });
}
