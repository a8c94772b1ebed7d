import { Type } from 'typebox';

export const DomainStateSchema = Type.Union(
  [Type.Literal('running'), Type.Literal('paused'), Type.Literal('shutoff'), Type.Literal('nostate')],
  { description: 'libvirt domain state: running (poweredOn), paused (suspended), shutoff (poweredOff)' },
);

export const DomainSummarySchema = Type.Object(
  {
    name: Type.String({ examples: ['web01'] }),
    uuid: Type.String({ examples: ['564d3c5c-8f6e-4e2f-9a3b-1b2c3d4e5f60'] }),
    id: Type.Union([Type.Integer(), Type.Null()], { description: 'libvirt domain id (the MoRef number) while active, else null' }),
    state: DomainStateSchema,
    memory: Type.Integer({ description: 'KiB' }),
    vcpus: Type.Integer(),
    persistent: Type.Boolean(),
    autostart: Type.Boolean(),
    template: Type.Boolean({ description: 'A vSphere template (cannot be started)' }),
    moref: Type.String({ description: 'vSphere managed object id', examples: ['vm-42'] }),
  },
  { $id: 'DomainSummary' },
);

export const DomainPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('DomainSummary')),
    total: Type.Integer({ description: 'Domains matching the filter' }),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as ?cursor= for the next page' })),
  },
  { $id: 'DomainPage' },
);
