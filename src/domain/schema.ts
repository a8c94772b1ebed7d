// The JSON domain definition: libvirt's <domain> element for element (camelCase keys; a text
// element with attributes becomes an object; repeated elements become plural arrays). Memory sizes
// are KiB integers, whatever unit the XML used. The API validates requests and documents responses
// with this schema, so every object is closed (additionalProperties: false): a typo is a 400.
import { Type, type Static } from 'typebox';
import { Controller, Disk, Filesystem } from './schema-storage.js';
import { Console, Graphics, Interface, Memballoon, SerialOrParallel, Tpm, UUID_PATTERN, Video } from './schema-devices.js';

const strict = { additionalProperties: false } as const;
const kib = (description: string) => Type.Integer({ minimum: 0, description: `${description} (KiB).` });
const lifecycle = (description: string) =>
  Type.Optional(
    Type.Enum(['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart'], { description }),
  );

export const Memtune = Type.Object(
  {
    hardLimit: Type.Optional(kib('<hard_limit>: maximum memory the guest may use')),
    softLimit: Type.Optional(kib('<soft_limit>')),
    minGuarantee: Type.Optional(kib('<min_guarantee>: reserved memory (VMX sched.mem.minsize)')),
    swapHardLimit: Type.Optional(kib('<swap_hard_limit>')),
  },
  { ...strict, description: '<memtune>: memory tuning.' },
);

export const Vcpu = Type.Object(
  {
    count: Type.Integer({ minimum: 1, description: 'Number of virtual CPUs (the <vcpu> text; VMX numvcpus).' }),
    placement: Type.Optional(Type.Enum(['static', 'auto'], { description: 'CPU placement.' })),
    cpuset: Type.Optional(
      Type.String({
        pattern: '^\\s*\\^?[0-9]+(-[0-9]+)?(\\s*,\\s*\\^?[0-9]+(-[0-9]+)?)*\\s*$',
        description: "Host CPUs the guest may run on, e.g. '0-2,5-7' (VMX sched.cpu.affinity).",
      }),
    ),
    current: Type.Optional(Type.Integer({ minimum: 1, description: 'CPUs online at boot (ESX: must equal count).' })),
  },
  { ...strict, description: '<vcpu>.' },
);

export const Cputune = Type.Object(
  { shares: Type.Optional(Type.Integer({ minimum: 0, description: 'CPU shares (VMX sched.cpu.shares; 500/1000/2000 per vCPU are low/normal/high).' })) },
  { ...strict, description: '<cputune>.' },
);

export const CpuTopology = Type.Object(
  {
    sockets: Type.Integer({ minimum: 1, description: 'Sockets.' }),
    dies: Type.Optional(Type.Integer({ minimum: 1, description: 'Dies per socket (ESX: 1).' })),
    clusters: Type.Optional(Type.Integer({ minimum: 1, description: 'Clusters per die (ESX: 1).' })),
    cores: Type.Integer({ minimum: 1, description: 'Cores per socket (VMX cpuid.coresPerSocket).' }),
    threads: Type.Integer({ minimum: 1, description: 'Threads per core (ESX: 1).' }),
  },
  { ...strict, description: '<topology>.' },
);

export const Cpu = Type.Object(
  {
    mode: Type.Optional(Type.Enum(['custom', 'host-model', 'host-passthrough', 'maximum'], { description: 'CPU mode (ESX: custom).' })),
    match: Type.Optional(Type.Enum(['minimum', 'exact', 'strict'], { description: 'Model match.' })),
    check: Type.Optional(Type.Enum(['none', 'partial', 'full'], { description: 'Check.' })),
    topology: Type.Optional(CpuTopology),
  },
  { ...strict, description: '<cpu>.' },
);

export const Os = Type.Object(
  {
    type: Type.Literal('hvm', { description: "Guest type (the <type> text); always 'hvm'." }),
    arch: Type.Optional(
      Type.Enum(['i686', 'x86_64'], { description: "<type arch>; VMX guestOS ending in '-64' is x86_64. Default i686." }),
    ),
    machine: Type.Optional(Type.String({ minLength: 1, description: '<type machine>.' })),
    firmware: Type.Optional(Type.Enum(['bios', 'efi'], { description: "<os firmware> (VMX firmware = \"efi\")." })),
    boot: Type.Optional(
      Type.Array(
        Type.Object(
          { dev: Type.Enum(['hd', 'cdrom', 'fd', 'network'], { description: 'Boot device.' }) },
          { ...strict, description: '<boot>.' },
        ),
        { description: '<boot> elements (not stored in VMX).' },
      ),
    ),
    smbios: Type.Optional(
      Type.Object(
        { mode: Type.Enum(['emulate', 'host', 'sysinfo'], { description: "'host': reflect the host's SMBIOS (VMX smbios.reflecthost)." }) },
        { ...strict, description: '<smbios>.' },
      ),
    ),
  },
  { ...strict, description: '<os>: guest type, architecture, firmware.' },
);

export const Devices = Type.Object(
  {
    disks: Type.Optional(Type.Array(Disk, { description: '<disk> elements.' })),
    controllers: Type.Optional(Type.Array(Controller, { description: '<controller> elements.' })),
    filesystems: Type.Optional(Type.Array(Filesystem, { description: '<filesystem> elements.' })),
    interfaces: Type.Optional(Type.Array(Interface, { description: '<interface> elements.' })),
    serials: Type.Optional(Type.Array(SerialOrParallel, { description: '<serial> elements.' })),
    parallels: Type.Optional(Type.Array(SerialOrParallel, { description: '<parallel> elements.' })),
    consoles: Type.Optional(Type.Array(Console, { description: '<console> elements.' })),
    tpms: Type.Optional(Type.Array(Tpm, { description: '<tpm> elements.' })),
    graphics: Type.Optional(Type.Array(Graphics, { description: '<graphics> elements.' })),
    videos: Type.Optional(Type.Array(Video, { description: '<video> elements.' })),
    memballoon: Type.Optional(Memballoon),
  },
  { ...strict, description: '<devices>.' },
);

export const VmwareData = Type.Object(
  {
    datacenterPath: Type.Optional(Type.String({ minLength: 1, description: '<vmware:datacenterpath>: inventory path of the datacenter.' })),
    moref: Type.Optional(Type.String({ minLength: 1, description: "<vmware:moref>: managed object id, e.g. 'vm-42'." })),
  },
  { ...strict, description: 'Elements of the libvirt VMware XML namespace (http://libvirt.org/schemas/domain/vmware/1.0).' },
);

export const DomainDefinition = Type.Object(
  {
    type: Type.Optional(Type.Literal('vmware', { description: "<domain type>; always 'vmware'." })),
    id: Type.Optional(Type.Integer({ minimum: -1, description: '<domain id> of a running domain.' })),
    name: Type.String({ minLength: 1, description: 'Domain name (VMX displayName).' }),
    uuid: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: 'BIOS UUID (VMX uuid.bios).' })),
    genid: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: 'VM generation id (VMX vm.genid, vm.genidX).' })),
    title: Type.Optional(Type.String({ description: 'Short title (not stored in VMX).' })),
    description: Type.Optional(Type.String({ description: 'Free text (VMX annotation).' })),
    memory: Type.Integer({ minimum: 1, description: 'Maximum memory in KiB (VMX memsize, rounded up to 4 MiB).' }),
    currentMemory: Type.Optional(kib('Memory at boot, at most memory (VMX sched.mem.max)')),
    memtune: Type.Optional(Memtune),
    vcpu: Type.Optional(Vcpu),
    cputune: Type.Optional(Cputune),
    os: Type.Optional(Os),
    cpu: Type.Optional(Cpu),
    clock: Type.Optional(
      Type.Object(
        { offset: Type.Enum(['utc', 'localtime', 'timezone', 'variable', 'absolute'], { description: 'Clock offset.' }) },
        { ...strict, description: '<clock>.' },
      ),
    ),
    onPoweroff: lifecycle('<on_poweroff>.'),
    onReboot: lifecycle('<on_reboot>.'),
    onCrash: lifecycle('<on_crash>.'),
    devices: Type.Optional(Devices),
    vmware: Type.Optional(VmwareData),
  },
  { ...strict, $id: 'DomainDefinition', description: "A domain definition: libvirt's domain XML as JSON." },
);

export type DomainDefinition = Static<typeof DomainDefinition>;
