// libvirt <volume> XML as a create request (virsh vol-create FILE): name, capacity, allocation
// (with libvirt's units) and the format, which must be vmdk on ESX.
import { XMLParser } from 'fast-xml-parser';
import { ApiError } from '../errors.js';

const UNITS: Record<string, number> = {
  b: 1, bytes: 1,
  kb: 1e3, k: 1024, kib: 1024,
  mb: 1e6, m: 1024 ** 2, mib: 1024 ** 2,
  gb: 1e9, g: 1024 ** 3, gib: 1024 ** 3,
  tb: 1e12, t: 1024 ** 4, tib: 1024 ** 4,
  pb: 1e15, p: 1024 ** 5, pib: 1024 ** 5,
};

export interface VolumeRequest {
  name: string;
  capacity?: number;
  allocation?: number;
  adapterType?: 'busLogic' | 'lsiLogic' | 'ide';
  from?: string;
}

type Node = Record<string, unknown> | string | number | undefined;

function scaled(node: Node, what: string): number | undefined {
  if (node === undefined) return undefined;
  const text = typeof node === 'object' ? String(node['#text'] ?? '') : String(node);
  const unit = typeof node === 'object' ? String(node['@_unit'] ?? 'bytes').toLowerCase() : 'bytes';
  const factor = UNITS[unit];
  if (factor === undefined) throw new ApiError('xml-error', `<${what}> has unknown unit '${unit}'`);
  if (!/^\d+$/.test(text.trim())) throw new ApiError('xml-error', `<${what}> must be a non-negative integer, not '${text}'`);
  const n = Number(text.trim()) * factor;
  if (!Number.isSafeInteger(n)) throw new ApiError('xml-error', `<${what}> is too large`);
  return n;
}

export function parseVolumeXml(xml: string): VolumeRequest {
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false, processEntities: true }).parse(xml, true) as Record<string, unknown>;
  } catch (e) {
    throw new ApiError('xml-error', `volume XML is not well-formed: ${(e as Error).message}`);
  }
  const v = doc.volume as Record<string, Node> | undefined;
  if (!v || typeof v !== 'object') throw new ApiError('xml-error', 'expected a <volume> root element');
  const name = typeof v.name === 'object' ? String((v.name as Record<string, unknown>)['#text'] ?? '') : String(v.name ?? '');
  if (!name) throw new ApiError('xml-error', '<volume> needs a <name>');
  const target = (typeof v.target === 'object' ? v.target : {}) as Record<string, Node>;
  const format = typeof target.format === 'object' ? String((target.format as Record<string, unknown>)['@_type'] ?? '') : '';
  if (format && format !== 'vmdk') throw new ApiError('config-unsupported', `volume format '${format}' is not supported: ESX creates vmdk virtual disks only`);
  return { name, capacity: scaled(v.capacity, 'capacity'), allocation: scaled(v.allocation, 'allocation') };
}
