// libvirt storage pool and volume XML (virStoragePoolGetXMLDesc, virStorageVolGetXMLDesc) as
// libvirt's esx driver writes them: datastores are 'dir' (local), 'netfs' (NFS) or 'fs' (VMFS)
// pools, iSCSI targets 'iscsi' pools; volumes are files.
import { escapeXml as x } from '../../vi/soap/xml.js';
import type { StoragePool } from './pool.js';
import type { Volume } from './volume.js';

const POOL_TYPE: Record<StoragePool['type'], string> = {
  vmfs: 'fs',
  nfs: 'netfs',
  local: 'dir',
  vsan: 'dir',
  vvol: 'dir',
  other: 'dir',
  iscsi: 'iscsi',
};

function source(p: StoragePool): string {
  const s = p.source;
  const lines: string[] = [];
  if (p.type === 'nfs') {
    lines.push(`    <host name='${x(s.host ?? '')}'/>`, `    <dir path='${x(s.dir ?? '')}'/>`, `    <format type='${x(s.format ?? 'nfs')}'/>`);
  } else if (p.type === 'iscsi') {
    lines.push(`    <host name='${x(s.host ?? '')}' port='${s.port ?? 3260}'/>`, `    <device path='${x(s.device ?? '')}'/>`);
  } else if (p.type === 'vmfs') {
    lines.push(`    <format type='vmfs'/>`);
  }
  return lines.length ? `  <source>\n${lines.join('\n')}\n  </source>` : '  <source>\n  </source>';
}

export function poolXml(p: StoragePool): string {
  return [
    `<pool type='${POOL_TYPE[p.type]}'>`,
    `  <name>${x(p.name)}</name>`,
    `  <uuid>${p.uuid}</uuid>`,
    `  <capacity unit='bytes'>${p.capacity}</capacity>`,
    `  <allocation unit='bytes'>${p.allocation}</allocation>`,
    `  <available unit='bytes'>${p.available}</available>`,
    source(p),
    ...(p.target ? ['  <target>', `    <path>${x(p.target)}</path>`, '  </target>'] : []),
    '</pool>',
    '',
  ].join('\n');
}

export function volumeXml(v: Volume): string {
  return [
    `<volume type='${v.type}'>`,
    `  <name>${x(v.name)}</name>`,
    `  <key>${x(v.key)}</key>`,
    `  <source>\n  </source>`,
    `  <capacity unit='bytes'>${v.capacity}</capacity>`,
    `  <allocation unit='bytes'>${v.allocation}</allocation>`,
    '  <target>',
    `    <path>${x(v.path)}</path>`,
    `    <format type='${v.format}'/>`,
    '  </target>',
    '</volume>',
    '',
  ].join('\n');
}
