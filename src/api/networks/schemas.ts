// Network schemas: an ESX standard virtual switch with its port groups, in libvirt's terms.
import { Type } from 'typebox';

const PortGroup = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 59, examples: ['VM Network'] }),
  vlan: Type.Integer({ minimum: 0, maximum: 4095, description: '0 = untagged, 4095 = all VLANs' }),
});

export const NetworkSchema = Type.Object(
  {
    name: Type.String({ examples: ['vSwitch0'] }),
    uuid: Type.String({ description: "MD5 of the switch key (libvirt's esx driver): stable across restarts" }),
    key: Type.String({ examples: ['key-vim.host.VirtualSwitch-vSwitch0'] }),
    active: Type.Boolean(),
    persistent: Type.Boolean(),
    autostart: Type.Boolean(),
    bridge: Type.String(),
    forward: Type.Object({ mode: Type.Literal('bridge'), interfaces: Type.Array(Type.String(), { description: 'Physical uplinks (vmnicN)' }) }),
    portgroups: Type.Array(PortGroup),
    mtu: Type.Union([Type.Integer(), Type.Null()]),
    numPorts: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'Network' },
);

export const NetworkDefineSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 31, description: 'vSwitch name' }),
    forward: Type.Optional(
      Type.Object(
        {
          mode: Type.String({ maxLength: 32, description: "'bridge', the only mode ESX has; nat, route, open, ... are refused with 400 config-unsupported" }),
          interfaces: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { description: 'Physical NICs to bond as uplinks' })),
        },
        { additionalProperties: false },
      ),
    ),
    portgroups: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 59 }), vlan: Type.Optional(Type.Integer({ minimum: 0, maximum: 4095 })) },
          { additionalProperties: false },
        ),
      ),
    ),
    mtu: Type.Optional(Type.Integer({ minimum: 1280, maximum: 9000 })),
  },
  { $id: 'NetworkDefine', additionalProperties: false },
);

export const NetworkParam = Type.Object({ network: Type.String({ minLength: 1, maxLength: 256, description: 'Network name or UUID' }) });
