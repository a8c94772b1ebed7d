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

export const DomainRuntimeSchema = Type.Object(
  {
    state: DomainStateSchema,
    id: Type.Union([Type.Integer(), Type.Null()]),
    cpuTime: Type.Union([Type.Integer(), Type.Null()], { description: 'CPU time in ns; null: ESX does not report it' }),
    bootTime: Type.Union([Type.String(), Type.Null()], { description: 'When the domain was powered on (ISO 8601), while active' }),
    guest: Type.Object({
      tools: Type.Union([Type.String(), Type.Null()], { description: 'VMware Tools running status (guestToolsRunning, guestToolsNotRunning...)' }),
      hostname: Type.Union([Type.String(), Type.Null()], { description: 'Guest host name reported by VMware Tools' }),
      ipAddresses: Type.Array(Type.String(), { description: 'Guest IP addresses reported by VMware Tools' }),
    }),
  },
  { $id: 'DomainRuntime' },
);

export const DomainDetailSchema = Type.Object(
  {
    ...DomainSummarySchema.properties,
    definition: Type.Ref('DomainDefinition'),
    runtime: Type.Ref('DomainRuntime'),
  },
  { $id: 'DomainDetail', description: 'A domain: the list fields, its definition (libvirt domain XML as JSON) and runtime facts' },
);
