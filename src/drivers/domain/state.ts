// libvirt's view of a vSphere VM: state names (esxVI_VirtualMachinePowerState_ConvertToLibvirt),
// numeric ids from the MoRef, and domain names (vSphere stores %, / and \ escaped as %XX).
import type { MoRef } from '../../vi/soap/encode.js';

export type DomainState = 'running' | 'paused' | 'shutoff' | 'nostate';

export function stateOf(powerState: unknown): DomainState {
  switch (powerState) {
    case 'poweredOn':
      return 'running';
    case 'suspended':
      return 'paused';
    case 'poweredOff':
      return 'shutoff';
    default:
      return 'nostate';
  }
}

export const isActive = (s: DomainState): boolean => s === 'running' || s === 'paused';

/** libvirt's domain id is the number in the MoRef ("42" on ESX, "vm-42" on vCenter and the simulator). */
export function idOf(ref: MoRef): number | null {
  const m = /^(?:vm-)?(\d+)$/.exec(ref.value);
  return m ? Number(m[1]) : null;
}

/** vSphere entity name -> libvirt domain name. */
export function nameFromVi(name: string): string {
  return name.replace(/%(25|2[fF]|5[cC])/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** libvirt domain name -> vSphere entity name. */
export function nameToVi(name: string): string {
  return name.replace(/[%/\\]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Canonical lower-case dashed UUID. */
export function normalizeUuid(u: string): string {
  const h = u.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
