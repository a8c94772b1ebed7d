// The device part of an edit: the changes that turn a VM's current devices into the ones a new
// definition describes. Devices that stay the same are left alone (a disk keeps its key, a NIC its
// generated MAC); changed ones are edited where vSphere allows it, else removed and re-added.
// Removing a disk only detaches it (no fileOperation): files are never deleted by an edit.
import type { DomainDefinition } from '../../domain/model.js';
import { NIC_MODELS, SCSI_MODELS, type Vi } from './from-config.js';
import { type SpecContext, deviceSpecs } from './to-config-spec.js';

const CONTROLLER_TYPES = new Set([...Object.keys(SCSI_MODELS), 'VirtualAHCIController', 'VirtualSATAController']);
const STORAGE_TYPES = new Set(['VirtualDisk', 'VirtualCdrom', 'VirtualFloppy']);
const PORT_TYPES = new Set(['VirtualSerialPort', 'VirtualParallelPort']);
const isNic = (d: Vi) => !!NIC_MODELS[String(d._type)];
const managed = (d: Vi) => CONTROLLER_TYPES.has(String(d._type)) || STORAGE_TYPES.has(String(d._type)) || PORT_TYPES.has(String(d._type)) || isNic(d);

/** Backing fields that identify what a device is connected to. */
function backingId(b: Vi | undefined): string {
  if (!b) return '';
  const p = b.port ?? {};
  return JSON.stringify([b._type, b.fileName ?? '', b.deviceName ?? '', b.diskMode ?? 'persistent', b.pipeName ?? '', b.serviceURI ?? '', b.direction ?? '', p.switchUuid ?? '', p.portgroupKey ?? '', !!b.writeThrough]);
}

export function editDeviceChanges(cfg: Vi, def: DomainDefinition, ctx: SpecContext): Vi[] {
  const current: Vi[] = ((cfg.hardware?.device ?? []) as Vi[]).filter(managed);
  const wanted = deviceSpecs(def, ctx, -1000).map((c) => c.device as Vi);
  const kept = new Set<number>();
  const keyMap = new Map<number, number>();
  const changes: Vi[] = [];
  const adds: Vi[] = [];

  // Controllers: same kind and bus number -> keep the existing one.
  for (const w of wanted.filter((d) => CONTROLLER_TYPES.has(String(d._type)))) {
    const hit = current.find((c) => c._type === w._type && Number(c.busNumber ?? 0) === w.busNumber && !kept.has(c.key));
    if (hit) {
      kept.add(hit.key);
      keyMap.set(w.key, hit.key);
    } else adds.push(w);
  }
  const ctrlKey = (k: number) => keyMap.get(k) ?? k;

  // Disks, CD-ROMs, floppies: same slot, type and backing -> keep; otherwise detach and attach.
  for (const w of wanted.filter((d) => STORAGE_TYPES.has(String(d._type)))) {
    w.controllerKey = ctrlKey(w.controllerKey);
    const hit = current.find((c) => c._type === w._type && c.controllerKey === w.controllerKey && Number(c.unitNumber) === w.unitNumber && !kept.has(c.key));
    if (hit && backingId(hit.backing) === backingId(w.backing)) kept.add(hit.key);
    else if (hit && w._type !== 'VirtualDisk') {
      kept.add(hit.key);
      changes.push({ operation: 'edit', device: { ...hit, backing: w.backing, connectable: w.connectable } });
    } else adds.push(w);
  }

  // NICs: matched by MAC address (the definition carries it after a GET), else added.
  const wantedNics = wanted.filter(isNic);
  (def.devices?.interfaces ?? []).forEach((nic, i) => {
    const w = wantedNics[i]!;
    const mac = nic.mac?.address.toLowerCase();
    const hit = mac ? current.find((c) => isNic(c) && String(c.macAddress ?? '').toLowerCase() === mac && !kept.has(c.key)) : undefined;
    if (hit && hit._type === w._type) {
      kept.add(hit.key);
      if (backingId(hit.backing) !== backingId(w.backing)) changes.push({ operation: 'edit', device: { ...hit, backing: w.backing } });
    } else {
      if (hit && mac) Object.assign(w, { addressType: 'manual', macAddress: mac });
      adds.push(w);
    }
  });

  // Serial and parallel ports: by position among their kind.
  for (const type of PORT_TYPES) {
    const have = current.filter((c) => c._type === type);
    wanted
      .filter((d) => d._type === type)
      .forEach((w, i) => {
        const hit = have[i];
        if (!hit) return adds.push(w);
        kept.add(hit.key);
        if (backingId(hit.backing) !== backingId(w.backing)) changes.push({ operation: 'edit', device: { ...hit, backing: w.backing } });
      });
  }

  const removes = current.filter((c) => !kept.has(c.key)).map((device) => ({ operation: 'remove', device }));
  // Devices go before their controllers when removed, controllers before their devices when added.
  removes.sort((a, b) => Number(CONTROLLER_TYPES.has(String(a.device._type))) - Number(CONTROLLER_TYPES.has(String(b.device._type))));
  return [...removes, ...changes, ...adds.map((device) => ({ operation: 'add', device }))];
}
