// Pure storage helpers: client paths, /folder URLs, search result names, byte ranges, UUIDs.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/drivers/errors.js';
import { directoryPath, folderUrl, joinFolder, volumePath } from '../../../src/drivers/storage/paths.js';
import { md5Uuid } from '../../../src/drivers/storage/pool.js';
import { parseRange, sliceStream } from '../../../src/drivers/storage/range.js';
import { diskUuid } from '../../../src/drivers/storage/volume.js';
import { parseVolumeXml } from '../../../src/drivers/storage/volume-xml.js';

describe('volumePath', () => {
  it('accepts a path inside the pool or a full datastore path of the same pool', () => {
    expect(volumePath('ds 1', 'dir/sub/ä b.vmdk')).toMatchObject({ datastore: 'ds 1', path: 'dir/sub/ä b.vmdk', directory: 'dir/sub', file: 'ä b.vmdk', full: '[ds 1] dir/sub/ä b.vmdk' });
    expect(volumePath('ds', '[ds] x.iso').full).toBe('[ds] x.iso');
  });
  it.each(['../x', 'a/../../x', './x', 'a//b', '/abs', 'a\\b', 'x\u0000y', 'tab\there', 'dir/', '[other] x'])('refuses %j with invalid-arg', (bad) => {
    let err: unknown;
    try {
      volumePath('ds', bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid-arg');
  });
  it('treats the datastore root as a directory', () => {
    expect(directoryPath('ds', '').full).toBe('[ds]');
    expect(directoryPath('ds', 'a/b/').full).toBe('[ds] a/b');
  });
});

describe('folderUrl', () => {
  it('encodes each segment and the query values, keeping the slashes', () => {
    expect(folderUrl({ datastore: 'my ds&x', path: 'dir #1/ä ?.vmdk' }, 'F0/DC 0')).toBe('/folder/dir%20%231/%C3%A4%20%3F.vmdk?dcPath=F0%2FDC%200&dsName=my%20ds%26x');
  });
});

describe('joinFolder', () => {
  it("reads ESX's '[ds] dir/' and the simulator's '[ds]/dir' alike", () => {
    expect(joinFolder('[ds] dir/sub/', 'f.vmdk')).toBe('dir/sub/f.vmdk');
    expect(joinFolder('[ds]/dir', 'f.vmdk')).toBe('dir/f.vmdk');
    expect(joinFolder('[ds]', 'f.vmdk')).toBe('f.vmdk');
    expect(joinFolder('[ds] ', 'f.vmdk')).toBe('f.vmdk');
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=50-1000', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
    ['bytes=9-1', 100, null],
    [undefined, 100, null],
  ])('%s of %d bytes', (header, size, want) => {
    expect(parseRange(header, size)).toEqual(want);
  });
});

describe('sliceStream', () => {
  it('passes exactly the range across chunk boundaries', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const chunks = [data.subarray(0, 300), data.subarray(300, 301), data.subarray(301, 777), data.subarray(777)];
    for (const [start, end] of [[0, 0], [299, 301], [500, 999], [123, 876]] as const) {
      const out: Buffer[] = [];
      for await (const c of Readable.from(chunks).pipe(sliceStream({ start, end }))) out.push(c as Buffer);
      expect(Buffer.concat(out).equals(data.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
  });
});

describe('UUIDs', () => {
  it("formats an MD5 as libvirt's UUID", () => {
    expect(md5Uuid('key-vim.host.VirtualSwitch-vSwitch0')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(md5Uuid('')).toBe('d41d8cd9-8f00-b204-e980-0998ecf8427e');
  });
  it('normalises QueryVirtualDiskUuid answers', () => {
    expect(diskUuid('60 00 C2 9a 1b 2c 3d 4e-5f 60 71 82 93 a4 b5 c6')).toBe('6000c29a-1b2c-3d4e-5f60-718293a4b5c6');
    expect(diskUuid('0f8b1f0e-3c5d-5e3a-9a1b-2c3d4e5f6071')).toBe('0f8b1f0e-3c5d-5e3a-9a1b-2c3d4e5f6071');
    expect(diskUuid('nope')).toBeNull();
  });
});

describe('parseVolumeXml', () => {
  it('reads name, capacity and allocation with units', () => {
    expect(parseVolumeXml("<volume><name>a/b.vmdk</name><capacity unit='G'>2</capacity><allocation unit='KiB'>0</allocation></volume>")).toEqual({
      name: 'a/b.vmdk',
      capacity: 2 * 1024 ** 3,
      allocation: 0,
    });
    expect(parseVolumeXml('<volume><name>x.vmdk</name><capacity>1000</capacity></volume>').capacity).toBe(1000);
  });
  it('refuses other formats, bad units and broken XML', () => {
    expect(() => parseVolumeXml("<volume><name>x</name><capacity>1</capacity><target><format type='qcow2'/></target></volume>")).toThrow(/qcow2/);
    expect(() => parseVolumeXml("<volume><name>x</name><capacity unit='parsec'>1</capacity></volume>")).toThrow(/unit/);
    expect(() => parseVolumeXml('<volume><name>x</name><capacity>-1</capacity></volume>')).toThrow(/integer/);
    expect(() => parseVolumeXml('<volume><name>x')).toThrow(ApiError);
    expect(() => parseVolumeXml('<pool/>')).toThrow(/<volume>/);
  });
});

describe('pools from datastores and iSCSI adapters', () => {
  it('derives the UUID from the mount path and reads NFS and VMFS sources', async () => {
    const { poolFromDatastore, poolsFromIscsi } = await import('../../../src/drivers/storage/pool.js');
    const host = { type: 'HostSystem', value: 'host-1' };
    const nfs = poolFromDatastore(
      {
        ref: { type: 'Datastore', value: 'datastore-9' },
        props: {
          name: 'iso',
          summary: { type: 'NFS', capacity: 1000, freeSpace: 400, accessible: true },
          info: { _type: 'NasDatastoreInfo', nas: { remoteHost: 'filer', remotePath: '/export/iso', type: 'NFS' } },
          host: [{ key: host, mountInfo: { path: '/vmfs/volumes/5e7d2e0d-0ae3ef6b', accessMode: 'readOnly' } }],
        },
      },
      host,
    );
    expect(nfs).toMatchObject({ type: 'nfs', uuid: md5Uuid('/vmfs/volumes/5e7d2e0d-0ae3ef6b'), capacity: 1000, allocation: 600, available: 400, readOnly: true, source: { host: 'filer', dir: '/export/iso', format: 'nfs' } });
    const vmfs = poolFromDatastore({ ref: { type: 'Datastore', value: 'ds-1' }, props: { name: 'ds1', summary: { type: 'VMFS', accessible: false }, info: { _type: 'VmfsDatastoreInfo', vmfs: { uuid: '4b0beca7-7fd401f3-1d7f-000ae484a6a3' } } } }, host);
    expect(vmfs).toMatchObject({ type: 'vmfs', state: 'inaccessible', source: { device: '4b0beca7-7fd401f3-1d7f-000ae484a6a3', format: 'vmfs' } });
    const iscsi = poolsFromIscsi([{ _type: 'HostInternetScsiHba', configuredStaticTarget: [{ address: '10.0.0.5', port: 3260, iScsiName: 'iqn.2001-05.com.example:t1' }] }, { _type: 'HostBlockHba' }]);
    expect(iscsi).toEqual([expect.objectContaining({ name: 'iqn.2001-05.com.example:t1', type: 'iscsi', uuid: md5Uuid('iqn.2001-05.com.example:t1'), readOnly: true, moref: null, source: { host: '10.0.0.5', port: 3260, device: 'iqn.2001-05.com.example:t1' } })]);
  });
});
