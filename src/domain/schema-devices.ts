// JSON form of libvirt's network, character, graphics, video, TPM and balloon device elements.
import { Type } from 'typebox';

const strict = { additionalProperties: false } as const;

export const MAC_PATTERN = '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$';
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$';

export const InterfaceMac = Type.Object(
  {
    address: Type.String({ pattern: MAC_PATTERN, description: "MAC address, e.g. '00:50:56:11:22:33'." }),
    type: Type.Optional(
      Type.Enum(['generated', 'static'], {
        description:
          "'generated': assigned by ESX/vCenter (VMX addressType generated or vpx); 'static': set by hand. " +
          'Absent: guessed from the VMware prefix ranges as libvirt does.',
      }),
    ),
    check: Type.Optional(
      Type.Boolean({ description: 'Whether ESX checks the address against the VMware ranges (VMX checkMACAddress).' }),
    ),
  },
  { ...strict, description: '<mac>.' },
);

export const InterfaceSource = Type.Object(
  {
    bridge: Type.Optional(Type.String({ description: "Port group name for type 'bridge' (VMX networkName)." })),
    network: Type.Optional(Type.String({ minLength: 1, description: "libvirt network name for type 'network'." })),
    switchId: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "Distributed switch UUID for type 'vds'." })),
    portId: Type.Optional(Type.Integer({ description: 'Distributed port key.' })),
    portgroupId: Type.Optional(Type.String({ minLength: 1, description: "Distributed port group key, e.g. 'dvportgroup-1285'." })),
    connectionId: Type.Optional(Type.Integer({ description: 'Distributed port connection cookie.' })),
  },
  { ...strict, description: '<source>: what the interface connects to.' },
);

export const Interface = Type.Object(
  {
    type: Type.Enum(['bridge', 'user', 'null', 'vds', 'network', 'ethernet'], {
      description:
        "'bridge': a port group (VMX bridged/custom); 'user': NAT (Workstation/Fusion); 'null': not connected; " +
        "'vds': a distributed port group.",
    }),
    mac: Type.Optional(InterfaceMac),
    source: Type.Optional(InterfaceSource),
    target: Type.Optional(
      Type.Object(
        { dev: Type.String({ minLength: 1, description: "Host virtual network, e.g. 'vmnet7' (VMX vnet, connectionType custom)." }) },
        { ...strict, description: '<target dev>.' },
      ),
    ),
    model: Type.Optional(
      Type.Object(
        {
          type: Type.String({
            minLength: 1,
            description: "NIC model. ESX: 'vlance', 'vmxnet', 'vmxnet2', 'vmxnet3', 'e1000', 'e1000e'.",
          }),
        },
        { ...strict, description: '<model type>.' },
      ),
    ),
  },
  { ...strict, description: '<interface>: a virtual NIC (VMX ethernetN).' },
);

export const ChrSource = Type.Object(
  {
    path: Type.Optional(Type.String({ description: "Device, file ('[datastore] dir/file' or absolute) or pipe path." })),
    mode: Type.Optional(Type.Enum(['bind', 'connect'], { description: "TCP: 'bind' listens (server), 'connect' dials (client)." })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'TCP host.' })),
    service: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'TCP port.' })),
  },
  { ...strict, description: '<source>.' },
);

const chrCommon = {
  type: Type.Enum(['dev', 'file', 'pipe', 'tcp', 'pty', 'null', 'unix', 'udp'], {
    description: "Backend. ESX serial ports: 'dev', 'file', 'pipe', 'tcp'; parallel ports: 'dev', 'file'.",
  }),
  source: Type.Optional(ChrSource),
  protocol: Type.Optional(
    Type.Object(
      {
        type: Type.Enum(['raw', 'telnet', 'telnets', 'tls'], {
          description: "Wire protocol of a 'tcp' backend (VMX URI scheme tcp, telnet, telnets, ssl).",
        }),
      },
      { ...strict, description: '<protocol>.' },
    ),
  ),
};

export const ChrTarget = Type.Object(
  {
    type: Type.Optional(Type.String({ minLength: 1, description: "Target type; 'serial' on a console." })),
    port: Type.Optional(Type.Integer({ minimum: 0, description: 'Port number (serial 0-3, parallel 0-2).' })),
  },
  { ...strict, description: '<target>.' },
);

export const SerialOrParallel = Type.Object(
  { ...chrCommon, target: Type.Optional(ChrTarget) },
  { ...strict, description: '<serial> or <parallel> port.' },
);

export const Console = Type.Object(
  { ...chrCommon, target: Type.Optional(ChrTarget) },
  { ...strict, description: '<console>: on ESX an alias of the first serial port.' },
);

export const GraphicsListen = Type.Object(
  {
    type: Type.Enum(['address', 'network', 'socket', 'none'], { description: 'Listen type.' }),
    address: Type.Optional(Type.String({ minLength: 1, description: 'Listen address (VMX RemoteDisplay.vnc.ip).' })),
  },
  { ...strict, description: '<listen>.' },
);

export const Graphics = Type.Object(
  {
    type: Type.Enum(['vnc', 'spice', 'sdl', 'rdp', 'desktop'], { description: "Only 'vnc' converts to VMX." }),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'VNC port (ESX: 5900-5964).' })),
    autoport: Type.Optional(Type.Boolean({ description: 'Port chosen at start-up (no VMX port entry).' })),
    keymap: Type.Optional(Type.String({ minLength: 1, description: "Keyboard map, e.g. 'de'." })),
    passwd: Type.Optional(Type.String({ description: 'VNC password.' })),
    listens: Type.Optional(Type.Array(GraphicsListen, { description: '<listen> children.' })),
  },
  { ...strict, description: '<graphics>: remote display.' },
);

export const Video = Type.Object(
  {
    model: Type.Object(
      {
        type: Type.Enum(['vmvga', 'vga', 'cirrus', 'qxl', 'virtio', 'bochs', 'ramfb', 'none'], {
          description: "Adapter; ESX has only 'vmvga' (SVGA).",
        }),
        vram: Type.Optional(Type.Integer({ minimum: 0, description: 'Video memory in KiB (VMX svga.vramSize in bytes).' })),
        heads: Type.Optional(Type.Integer({ minimum: 1, description: 'Number of screens (ESX conversion: 1).' })),
        primary: Type.Optional(Type.Boolean({ description: 'The primary adapter.' })),
      },
      { ...strict, description: '<model>.' },
    ),
  },
  { ...strict, description: '<video>.' },
);

export const Tpm = Type.Object(
  {
    model: Type.Optional(Type.Enum(['tpm-tis', 'tpm-crb', 'tpm-spapr', 'spapr-tpm-proxy'], { description: 'TPM interface.' })),
    backend: Type.Object(
      {
        type: Type.Enum(['passthrough', 'emulator', 'external'], { description: "ESX vTPM: 'emulator'." }),
        version: Type.Optional(Type.Enum(['1.2', '2.0'], { description: "TPM version; ESX vTPM is '2.0'." })),
      },
      { ...strict, description: '<backend>.' },
    ),
  },
  { ...strict, description: '<tpm>: virtual TPM (VMX vtpm.present).' },
);

export const Memballoon = Type.Object(
  { model: Type.Enum(['virtio', 'xen', 'none', 'virtio-transitional', 'virtio-non-transitional'], { description: 'Balloon model.' }) },
  { ...strict, description: '<memballoon>.' },
);
