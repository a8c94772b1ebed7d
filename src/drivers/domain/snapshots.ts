// Domain snapshots (libvirt's esxDomainSnapshot*): vSphere's snapshot tree read from the VM's
// `snapshot` property, looked up by name as libvirt does (names are unique per domain: a create
// with a taken name is refused). Create, revert and delete are vSphere tasks -> operations.
import { readXml } from '../../domain-xml/xml-reader.js';
import { el, serializeXml, textEl } from '../../domain-xml/xml-writer.js';
import type { MoRef } from '../../vi/soap/encode.js';
import { mapConversion } from '../conversion-errors.js';
import { ApiError, mapVi } from '../errors.js';
import type { Operation, Operations } from '../operations/types.js';
import type { Vi } from './from-config.js';
import type { DomainDriver } from './index.js';
import { type DomainState, nameFromVi, normalizeUuid, stateOf, UUID_RE } from './state.js';

export interface Snapshot {
  name: string;
  description: string;
  /** The domain's state when the snapshot was taken. */
  state: DomainState;
  createdAt: string;
  parent: string | null;
  current: boolean;
  quiesced: boolean;
  /** vSphere snapshot id and managed object id. */
  id: number;
  moref: string;
}

export interface SnapshotNode extends Snapshot {
  children: SnapshotNode[];
}

interface Found {
  vm: MoRef;
  domain: string;
  uuid?: string;
  state: DomainState;
  roots: SnapshotNode[];
  flat: Snapshot[];
  refs: Map<string, MoRef>;
}

const iso = (t: unknown) => (t instanceof Date ? t.toISOString() : String(t ?? ''));

/** The snapshot tree of a VM as nodes, plus a flat list in pre-order. */
export function treeOf(info: Vi | undefined): { roots: SnapshotNode[]; flat: Snapshot[]; refs: Map<string, MoRef> } {
  const current = (info?.currentSnapshot as MoRef | undefined)?.value;
  const flat: Snapshot[] = [];
  const refs = new Map<string, MoRef>();
  const walk = (t: Vi, parent: string | null): SnapshotNode => {
    const ref = t.snapshot as MoRef;
    const s: Snapshot = {
      name: String(t.name ?? ''),
      description: String(t.description ?? ''),
      state: stateOf(t.state),
      createdAt: iso(t.createTime),
      parent,
      current: ref?.value === current,
      quiesced: t.quiesced === true,
      id: Number(t.id ?? 0),
      moref: ref?.value ?? '',
    };
    flat.push(s);
    if (!refs.has(s.name)) refs.set(s.name, ref);
    return { ...s, children: ((t.childSnapshotList ?? []) as Vi[]).map((c) => walk(c, s.name)) };
  };
  const roots = ((info?.rootSnapshotList ?? []) as Vi[]).map((t) => walk(t, null));
  return { roots, flat, refs };
}

async function load(drv: DomainDriver, domain: string, signal?: AbortSignal): Promise<Found> {
  const o = await drv.lookup(domain, ['name', 'config.uuid', 'runtime.powerState', 'snapshot'], signal);
  const uuid = o.props['config.uuid'];
  return {
    vm: o.ref,
    domain: nameFromVi(String(o.props.name)),
    ...(typeof uuid === 'string' && UUID_RE.test(uuid) ? { uuid: normalizeUuid(uuid) } : {}),
    state: stateOf(o.props['runtime.powerState']),
    ...treeOf(o.props.snapshot as Vi | undefined),
  };
}

const noSnapshot = (domain: string, name: string) => new ApiError('no-domain-snapshot', `domain '${domain}' has no snapshot named '${name}'`);

export async function listSnapshots(drv: DomainDriver, domain: string, signal?: AbortSignal): Promise<{ flat: Snapshot[]; roots: SnapshotNode[] }> {
  const f = await load(drv, domain, signal);
  return { flat: f.flat, roots: f.roots };
}

/** A snapshot with the domain it belongs to. */
export interface SnapshotOf extends Snapshot {
  domain: { name: string; uuid?: string };
}

export async function getSnapshot(drv: DomainDriver, domain: string, name: string, signal?: AbortSignal): Promise<SnapshotOf> {
  const f = await load(drv, domain, signal);
  const s = f.flat.find((x) => x.name === name);
  if (!s) throw noSnapshot(f.domain, name);
  return { ...s, domain: { name: f.domain, ...(f.uuid ? { uuid: f.uuid } : {}) } };
}

export async function currentSnapshot(drv: DomainDriver, domain: string, signal?: AbortSignal): Promise<SnapshotOf> {
  const f = await load(drv, domain, signal);
  const s = f.flat.find((x) => x.current);
  if (!s) throw new ApiError('no-domain-snapshot', `domain '${f.domain}' has no current snapshot`);
  return { ...s, domain: { name: f.domain, ...(f.uuid ? { uuid: f.uuid } : {}) } };
}

export interface CreateSnapshotOptions {
  name?: string;
  description?: string;
  memory?: boolean;
  quiesce?: boolean;
  autoAnswer?: boolean;
  signal?: AbortSignal;
}

export async function createSnapshot(drv: DomainDriver, ops: Operations, domain: string, o: CreateSnapshotOptions): Promise<Operation> {
  const f = await load(drv, domain, o.signal);
  // libvirt names an unnamed snapshot after the current time (seconds since the epoch).
  const name = o.name ?? String(Math.floor(Date.now() / 1000));
  if (f.flat.some((s) => s.name === name)) throw new ApiError('operation-invalid', `domain '${f.domain}' already has a snapshot named '${name}'`);
  if (o.memory && f.state !== 'running') throw new ApiError('operation-invalid', `a memory snapshot needs a running domain ('${f.domain}' is ${f.state})`, { fault: 'InvalidPowerState' });
  return mapVi(() =>
    ops.start({
      kind: 'snapshot.create',
      target: { type: 'domain', name: f.domain, ...(f.uuid ? { uuid: f.uuid } : {}), moref: f.vm.value },
      vm: f.vm,
      autoAnswer: o.autoAnswer,
      signal: o.signal,
      begin: () =>
        drv.conn.call<MoRef>('CreateSnapshot_Task', { _this: f.vm, name, description: o.description ?? '', memory: o.memory ?? false, quiesce: o.quiesce ?? false }, { signal: o.signal }),
    }),
  );
}

async function snapshotTask(drv: DomainDriver, ops: Operations, domain: string, name: string, kind: string, method: string, params: Record<string, unknown>, o: { autoAnswer?: boolean; signal?: AbortSignal }): Promise<Operation> {
  const f = await load(drv, domain, o.signal);
  const ref = f.refs.get(name);
  if (!ref) throw noSnapshot(f.domain, name);
  return mapVi(
    () =>
      ops.start({
        kind,
        target: { type: 'snapshot', name, ...(f.uuid ? { uuid: f.uuid } : {}), moref: ref.value },
        vm: f.vm,
        autoAnswer: o.autoAnswer,
        signal: o.signal,
        begin: () => drv.conn.call<MoRef>(method, { _this: ref, ...params }, { signal: o.signal }),
      }),
    { ManagedObjectNotFound: ['no-domain-snapshot', `snapshot '${name}' disappeared`] },
  );
}

export const revertSnapshot = (drv: DomainDriver, ops: Operations, domain: string, name: string, o: { autoAnswer?: boolean; signal?: AbortSignal } = {}) =>
  snapshotTask(drv, ops, domain, name, 'snapshot.revert', 'RevertToSnapshot_Task', {}, o);

export const deleteSnapshot = (drv: DomainDriver, ops: Operations, domain: string, name: string, o: { children?: boolean; autoAnswer?: boolean; signal?: AbortSignal } = {}) =>
  snapshotTask(drv, ops, domain, name, 'snapshot.delete', 'RemoveSnapshot_Task', { removeChildren: o.children ?? false, consolidate: true }, o);

/** libvirt's <domainsnapshot> for a snapshot (what esxDomainSnapshotGetXMLDesc reports). */
export function snapshotXml(s: SnapshotOf): string {
  const domain = s.domain;
  const created = Date.parse(s.createdAt);
  return serializeXml(
    el('domainsnapshot', {}, [
      textEl('name', s.name),
      s.description ? textEl('description', s.description) : undefined,
      textEl('state', s.state),
      s.parent !== null ? el('parent', {}, [textEl('name', s.parent)]) : undefined,
      Number.isFinite(created) ? textEl('creationTime', String(Math.floor(created / 1000))) : undefined,
      el('domain', {}, [domain.uuid ? textEl('uuid', domain.uuid) : textEl('name', domain.name)]),
    ]),
  );
}

/**
 * libvirt's <domainsnapshot> as create options: name, description and <memory snapshot='internal'>
 * (a memory snapshot; 'no' or absent: disks only). Anything else is a 400 naming the element.
 */
export function parseSnapshotXml(xml: string): Pick<CreateSnapshotOptions, 'name' | 'description' | 'memory'> {
  const root = mapConversion(() => readXml(xml));
  if (root.name !== 'domainsnapshot') throw new ApiError('xml-error', `expected <domainsnapshot>, not <${root.name}>`, { element: root.path });
  const out: Pick<CreateSnapshotOptions, 'name' | 'description' | 'memory'> = {};
  for (const c of root.children) {
    if (c.name === 'name') out.name = c.text.trim();
    else if (c.name === 'description') out.description = c.text;
    else if (c.name === 'memory' && ['internal', 'no'].includes(c.attrs.snapshot ?? '')) out.memory = c.attrs.snapshot === 'internal';
    else throw new ApiError('config-unsupported', `${c.path}: not supported for ESX snapshots (name, description, memory snapshot='internal|no')`, { element: c.path });
  }
  if (out.name === '') throw new ApiError('invalid-arg', 'snapshot <name> is empty', { element: '/domainsnapshot/name' });
  return out;
}
