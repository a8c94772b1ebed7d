// Storage pool and volume schemas (libvirt's virStoragePoolInfo / virStorageVolInfo plus names).
import { Type } from 'typebox';

export const StoragePoolSchema = Type.Object(
  {
    name: Type.String({ examples: ['datastore1'] }),
    uuid: Type.String({ description: "MD5 of the datastore's mount path (libvirt's esx driver), of the IQN for iSCSI", examples: ['8a7c5b5e-29c3-0e1b-7a21-4bd3a5fd2f3c'] }),
    type: Type.Union(['vmfs', 'nfs', 'local', 'vsan', 'vvol', 'other', 'iscsi'].map((t) => Type.Literal(t))),
    state: Type.Union([Type.Literal('running'), Type.Literal('inaccessible')]),
    capacity: Type.Integer({ description: 'bytes' }),
    allocation: Type.Integer({ description: 'bytes (capacity - available)' }),
    available: Type.Integer({ description: 'bytes' }),
    persistent: Type.Boolean(),
    autostart: Type.Boolean(),
    readOnly: Type.Boolean({ description: 'iSCSI targets and read-only mounts' }),
    source: Type.Object({
      host: Type.Optional(Type.String()),
      port: Type.Optional(Type.Integer()),
      dir: Type.Optional(Type.String()),
      device: Type.Optional(Type.String()),
      format: Type.Optional(Type.String()),
    }),
    target: Type.Union([Type.String(), Type.Null()], { description: 'Mount path on the host' }),
    moref: Type.Union([Type.String(), Type.Null()], { description: 'Datastore managed object id (null for iSCSI)' }),
  },
  { $id: 'StoragePool' },
);

export const VolumeSchema = Type.Object(
  {
    name: Type.String({ description: 'Path inside the datastore', examples: ['web01/web01.vmdk'] }),
    pool: Type.String(),
    path: Type.String({ examples: ['[datastore1] web01/web01.vmdk'] }),
    key: Type.String({ description: 'Virtual disk UUID for .vmdk files, else the datastore path' }),
    type: Type.Literal('file'),
    format: Type.Union([Type.Literal('vmdk'), Type.Literal('iso'), Type.Literal('raw')]),
    capacity: Type.Integer({ description: 'bytes' }),
    allocation: Type.Integer({ description: 'bytes' }),
    modified: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Volume' },
);

export const PoolParam = Type.Object({ pool: Type.String({ minLength: 1, maxLength: 1024, description: 'Storage pool name or UUID' }) });

export const VolumeParam = Type.Object({
  pool: Type.String({ minLength: 1, maxLength: 1024, description: 'Storage pool name or UUID' }),
  volume: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: "Volume name: its path inside the datastore with '/' sent as %2F in this one path segment (e.g. web01%2Fweb01.vmdk), or '[datastore] path'",
  }),
});

export const VolumeCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 2048, description: "Path inside the datastore, ending in .vmdk (e.g. 'web01/data.vmdk')" }),
    capacity: Type.Optional(Type.Integer({ minimum: 1024, description: 'bytes (required unless cloning)' })),
    allocation: Type.Optional(Type.Integer({ minimum: 0, description: 'bytes: 0 = thin; equal to capacity or absent = thick' })),
    adapterType: Type.Optional(Type.Union([Type.Literal('busLogic'), Type.Literal('lsiLogic'), Type.Literal('ide')], { description: 'default busLogic' })),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Clone this volume of the same pool (virStorageVolCreateXMLFrom)' })),
  },
  { $id: 'VolumeCreate', additionalProperties: false },
);
