// The live inventory mirror (issue 8) and the source of lifecycle events: one ContainerView filter
// on the update loop over VMs, hosts, networks and datastores (only the properties list and lookup
// need), plus the hosts' HostAutoStartManager config. Lifecycle events (started, stopped, ...) are
// derived from the same VM watch, so changes made outside the gateway are seen too. With the
// mirror disabled only name and power state are kept (for the events).
import type { ObjectProps } from '../vi/property-collector.js';
import type { MoRef } from '../vi/soap/encode.js';
import { isFault } from '../vi/errors.js';
import type { FilterSpec, LoopCall, ObjectUpdate, UpdateLoop, Watch } from '../vi/update-loop.js';
import type { EsxConnection } from './connection.js';
import { SUMMARY_PROPS } from './domain/index.js';
import { UUID_RE, idOf, nameFromVi, normalizeUuid } from './domain/state.js';
import type { EventBus, LifecycleKind } from './events.js';

/**
 * Beyond the summary: what a full domain GET shows besides `config` (runtime and guest facts), and
 * `config.changeVersion`, which tells whether a cached `config` is still current.
 */
export const MIRROR_VM_PROPS = [
  ...SUMMARY_PROPS,
  'runtime.host',
  'runtime.bootTime',
  'config.changeVersion',
  'guest.toolsRunningStatus',
  'guest.hostName',
  'guest.ipAddress',
  'guest.net',
];
/** VM configurations kept (the most recently read ones): a full domain GET of them asks ESX nothing. */
const CONFIG_CACHE_SIZE = 256;
const LIGHT_VM_PROPS = ['name', 'runtime.powerState'];
const TYPES: Record<string, string[]> = {
  HostSystem: ['name', 'configManager.autoStartManager'],
  Network: ['name', 'summary.accessible'],
  Datastore: ['name', 'summary'],
};

type Props = Record<string, unknown>;

function lifecycleOf(from: unknown, to: unknown): LifecycleKind | null {
  if (from === to || to === undefined) return null;
  if (to === 'poweredOn') return from === 'suspended' ? 'resumed' : 'started';
  if (to === 'poweredOff') return 'stopped';
  if (to === 'suspended') return 'suspended';
  return null;
}

export class Mirror {
  /** type -> moref value -> properties */
  private readonly objects = new Map<string, Map<string, Props>>();
  /** Bumped on every change of what reads see (VMs, hosts, autostart): lets readers cache derived views. */
  generation = 0;
  /** MoRef value -> a VM's `config` and the changeVersion it was read at (insertion order = LRU). */
  private readonly configs = new Map<string, { version: string; config: unknown }>();
  private autostartCfg = new Map<string, Set<string>>();
  private watch: Promise<Watch> | null = null;
  private asWatch: Promise<Watch> | null = null;
  private asManagers = '';
  private asLoaded = false;
  private prev: Map<string, Props> | null = null;
  private started = false;
  /** The initial load (or the reload after a resync) is complete. */
  ready = false;
  loads = 0;

  constructor(
    private readonly conn: EsxConnection,
    private readonly loop: UpdateLoop,
    private readonly bus: EventBus,
    /** false: only what lifecycle events need. */
    readonly full: boolean,
  ) {}

  /** Starts watching (lazy: the first list, lookup, event subscriber or operation). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.watch = this.loop.watch({
      spec: (call) => this.spec(call),
      onUpdate: (ups) => this.onUpdate(ups),
      onResync: () => this.onResync(),
    });
    this.watch.catch(() => {});
  }

  private async spec(call: LoopCall): Promise<FilterSpec> {
    const s = await this.conn.scope();
    const types = this.full ? ['VirtualMachine', ...Object.keys(TYPES)] : ['VirtualMachine'];
    // The view is a session object: it is made again (on the new session) after a resync.
    const view = await call<MoRef>('CreateContainerView', { _this: this.conn.vi.serviceContent.viewManager, container: s.container, type: types, recursive: true });
    const propSet = [
      { type: 'VirtualMachine', all: false, pathSet: this.full ? MIRROR_VM_PROPS : LIGHT_VM_PROPS },
      ...(this.full ? Object.entries(TYPES).map(([type, pathSet]) => ({ type, all: false, pathSet })) : []),
      // The view itself enters with the initial objects: it marks the end of a (re)load.
      { type: 'ContainerView', all: false, pathSet: [] },
    ];
    return { propSet, objectSet: [{ obj: view, skip: false, selectSet: [{ _type: 'TraversalSpec', name: 'view', type: 'ContainerView', path: 'view', skip: false }] }] };
  }

  private map(type: string): Map<string, Props> {
    let m = this.objects.get(type);
    if (!m) this.objects.set(type, (m = new Map()));
    return m;
  }

  private onResync(): void {
    this.generation++;
    // Keep serving the old state while the new load arrives; diff it for events afterwards.
    this.prev = new Map(this.map('VirtualMachine'));
    this.objects.clear();
    this.ready = false;
  }

  private onUpdate(ups: ObjectUpdate[]): void {
    if (ups.length) this.generation++;
    let loaded = false;
    for (const u of ups) {
      if (u.obj.type === 'ContainerView') {
        loaded = loaded || u.kind === 'enter';
        continue;
      }
      const m = this.map(u.obj.type);
      const vm = u.obj.type === 'VirtualMachine';
      if (u.kind === 'leave') {
        const old = m.get(u.obj.value);
        m.delete(u.obj.value);
        // Absent: refreshVm already removed it (and said so).
        if (vm && this.ready && old) this.emit('undefined', u.obj, old);
        continue;
      }
      // A change to an object refreshVm already removed (it was queued before the removal).
      if (u.kind === 'modify' && !m.has(u.obj.value)) continue;
      const old = m.get(u.obj.value) ?? (u.kind === 'enter' ? this.prev?.get(u.obj.value) : undefined);
      const next: Props = u.kind === 'enter' ? {} : { ...old };
      for (const c of u.changeSet ?? []) {
        if (c.op === 'remove' || c.op === 'indirectRemove' || c.val === undefined) delete next[c.name];
        else next[c.name] = c.val;
      }
      m.set(u.obj.value, next);
      if (vm && (this.ready || this.prev)) this.diff(u.obj, old, next);
      if (u.obj.type === 'HostSystem') this.watchAutostart();
    }
    if (loaded) {
      if (this.prev) {
        const now = this.map('VirtualMachine');
        for (const [k, p] of this.prev) if (!now.has(k)) this.emit('undefined', { type: 'VirtualMachine', value: k }, p);
        this.prev = null;
      }
      this.ready = true;
      this.loads++;
      this.watchAutostart();
    }
  }

  private diff(ref: MoRef, old: Props | undefined, next: Props): void {
    if (!old) return this.emit('defined', ref, next);
    if (old.name !== undefined && next.name !== undefined && old.name !== next.name) {
      this.emit('renamed', ref, next, { from: nameFromVi(String(old.name)) });
    }
    const k = lifecycleOf(old['runtime.powerState'], next['runtime.powerState']);
    if (k) this.emit(k, ref, next);
  }

  private emit(kind: LifecycleKind, ref: MoRef, p: Props | undefined, extra: Props = {}): void {
    this.bus.publish('lifecycle', {
      kind,
      domain: p?.name !== undefined ? nameFromVi(String(p.name)) : null,
      moref: ref.value,
      ...(p?.['runtime.powerState'] ? { powerState: p['runtime.powerState'] } : {}),
      ...extra,
    });
  }

  /** HostAutoStartManager objects are not reachable by a traversal: a second filter lists them. */
  private watchAutostart(): void {
    if (!this.full) return;
    const managers = [...this.map('HostSystem').values()].map((h) => h['configManager.autoStartManager'] as MoRef | undefined).filter((m): m is MoRef => !!m);
    const key = managers.map((m) => m.value).sort().join(',');
    if (key === this.asManagers) return;
    this.asManagers = key;
    this.asLoaded = managers.length === 0;
    const old = this.asWatch;
    this.asWatch = managers.length
      ? this.loop.watch({
          spec: { propSet: [{ type: 'HostAutoStartManager', all: false, pathSet: ['config'] }], objectSet: managers.map((obj) => ({ obj, skip: false })) },
          onUpdate: (ups) => {
            for (const u of ups) {
              if (u.kind === 'leave' || !u.changeSet?.some((c) => c.name === 'config')) continue;
              this.autostartCfg.set(u.obj.value, autostartOn(u.changeSet.find((c) => c.name === 'config')?.val));
              this.generation++;
            }
            this.asLoaded = true;
          },
        })
      : null;
    this.asWatch?.catch(() => {});
    void old?.then((w) => w.close()).catch(() => {});
  }

  // ---- reads -------------------------------------------------------------------------------

  /** True when reads can be served from memory (VMs loaded, autostart config known, loop up). */
  get usable(): boolean {
    return this.full && this.ready && this.asLoaded && this.loop.healthy;
  }

  /** The mirror keeps this VM property (absent from an object = unset on ESX). */
  covers(path: string): boolean {
    return MIRROR_VM_PROPS.includes(path);
  }

  vms(): ObjectProps[] {
    return [...this.map('VirtualMachine')].map(([value, props]) => ({ ref: { type: 'VirtualMachine', value }, props }));
  }

  objectsOf(type: 'HostSystem' | 'Network' | 'Datastore'): ObjectProps[] {
    return [...this.map(type)].map(([value, props]) => ({ ref: { type, value }, props }));
  }

  /** MoRef values of VMs set to power on with their host. */
  autostart(): Set<string> {
    const out = new Set<string>();
    for (const s of this.autostartCfg.values()) for (const v of s) out.add(v);
    return out;
  }

  /** A VM by UUID, numeric id or name (libvirt's lookup order), from memory. */
  findVm(domain: string): ObjectProps | undefined {
    const vms = this.map('VirtualMachine');
    const pick = (value: string) => ({ ref: { type: 'VirtualMachine', value }, props: vms.get(value)! });
    if (UUID_RE.test(domain)) {
      const u = normalizeUuid(domain);
      for (const [k, p] of vms) if (typeof p['config.uuid'] === 'string' && UUID_RE.test(p['config.uuid']) && normalizeUuid(p['config.uuid']) === u) return pick(k);
    }
    if (/^\d+$/.test(domain)) {
      for (const k of vms.keys()) if (idOf({ type: 'VirtualMachine', value: k }) === Number(domain)) return pick(k);
    }
    for (const [k, p] of vms) if (nameFromVi(String(p.name ?? '')) === domain) return pick(k);
    return undefined;
  }

  /**
   * Read-your-writes: re-reads one VM (after an operation on it finished), so the next read from
   * memory sees the effect even where the server reports the change later, or never (the
   * simulator does not report reconfigurations).
   */
  async refreshVm(ref: MoRef | undefined): Promise<void> {
    if (ref) this.configs.delete(ref.value);
    if (!ref || !this.full || !this.ready) return;
    const m = this.map('VirtualMachine');
    try {
      const o = await this.conn.vi.pc.object(ref, MIRROR_VM_PROPS);
      if (o) {
        const old = m.get(ref.value);
        m.set(ref.value, o.props);
        this.generation++;
        // Events are emitted here, so the stream's later report of the same change is a no-op.
        this.diff(ref, old, o.props);
      }
    } catch (e) {
      if (isFault(e, 'ManagedObjectNotFound') && m.has(ref.value)) {
        this.emit('undefined', ref, m.get(ref.value));
        m.delete(ref.value);
        this.generation++;
      }
    }
  }

  /** The VM's cached `config`, while the mirror's config.changeVersion still matches it. */
  cachedConfig(ref: MoRef): unknown | undefined {
    const c = this.configs.get(ref.value);
    const version = this.map('VirtualMachine').get(ref.value)?.['config.changeVersion'];
    if (!c || typeof version !== 'string' || !version || c.version !== version) return undefined;
    this.configs.delete(ref.value);
    this.configs.set(ref.value, c);
    return c.config;
  }

  /** Keeps a `config` just read from ESX (only when it carries a changeVersion to validate it by). */
  rememberConfig(ref: MoRef, config: unknown): void {
    const version = (config as { changeVersion?: unknown } | undefined)?.changeVersion;
    if (!this.full || typeof version !== 'string' || !version) return;
    this.configs.delete(ref.value);
    this.configs.set(ref.value, { version, config });
    if (this.configs.size > CONFIG_CACHE_SIZE) this.configs.delete(this.configs.keys().next().value!);
  }

  /** Read-your-writes for ReconfigureAutostart (not a task, so no operation refreshes it). */
  async refreshAutostart(manager: MoRef): Promise<void> {
    if (!this.full || !this.autostartCfg.has(manager.value)) return;
    const o = await this.conn.vi.pc.object(manager, ['config']).catch(() => undefined);
    if (o) {
      this.autostartCfg.set(manager.value, autostartOn(o.props.config));
      this.generation++;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.watch?.then((w) => w.close()).catch(() => {}), this.asWatch?.then((w) => w.close()).catch(() => {})]);
  }
}

/** VMs a HostAutoStartManager config powers on (libvirt: only while the host's autostart is enabled). */
function autostartOn(config: unknown): Set<string> {
  const cfg = config as { defaults?: { enabled?: boolean }; powerInfo?: Array<{ key: MoRef; startAction: string }> } | undefined;
  const on = new Set<string>();
  if (cfg?.defaults?.enabled) for (const pi of cfg.powerInfo ?? []) if (pi.startAction === 'powerOn') on.add(pi.key.value);
  return on;
}
