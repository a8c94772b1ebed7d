// Guest disk names: sda, hdb, fda... (libvirt's virIndexToDiskName and virDiskNameToIndex).
import type { DiskBus } from './model.js';

/** 0 -> 'a', 25 -> 'z', 26 -> 'aa' (libvirt's virIndexToDiskName). */
export function indexToDiskName(index: number, prefix: string): string {
  let letters = '';
  for (let i = index; i >= 0; i = Math.floor(i / 26) - 1) letters = String.fromCharCode(97 + (i % 26)) + letters;
  return prefix + letters;
}

/** 'sdb' with prefix 'sd' -> 1; -1 when the name does not have the prefix or is not letters. */
export function diskNameToIndex(name: string, prefix: string): number {
  if (!name.startsWith(prefix)) return -1;
  const letters = name.slice(prefix.length);
  if (!/^[a-z]+$/.test(letters)) return -1;
  let index = 0;
  for (let i = 0; i < letters.length; i++) index = (index + (i > 0 ? 1 : 0)) * 26 + (letters.charCodeAt(i) - 97);
  return index;
}

/** The name prefix of a bus. */
export function diskPrefix(bus: DiskBus): string {
  switch (bus) {
    case 'ide':
      return 'hd';
    case 'fdc':
      return 'fd';
    case 'virtio':
      return 'vd';
    case 'xen':
      return 'xvd';
    default:
      return 'sd';
  }
}

/** The bus libvirt assumes for a target name without bus attribute. */
export function busFromDiskName(name: string): DiskBus | undefined {
  if (name.startsWith('hd')) return 'ide';
  if (name.startsWith('sd')) return 'scsi';
  if (name.startsWith('fd')) return 'fdc';
  if (name.startsWith('vd')) return 'virtio';
  if (name.startsWith('xvd')) return 'xen';
  if (name.startsWith('ubd')) return 'uml';
  return undefined;
}
