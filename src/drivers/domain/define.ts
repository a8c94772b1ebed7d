// Define (CreateVM_Task), edit (ReconfigVM_Task) and undefine (UnregisterVM / Destroy_Task),
// libvirt's esxDomainDefineXML / esxDomainUndefine plus editing, which libvirt cannot do. A define
// waits for its task so that a failure leaves nothing behind on ESX (the half-created VM is
// destroyed) and the client gets the new domain, not an operation to poll.
import type { DomainDefinition } from '../../domain/model.js';
import type { MoRef } from '../../vi/soap/encode.js';
import { ApiError, mapVi } from '../errors.js';
import type { Operation, Operations } from '../operations/types.js';
import { editDeviceChanges } from './edit-devices.js';
import type { DomainDriver } from './index.js';
import { type PortGroup, type SpecContext, baseSpec, createSpec } from './to-config-spec.js';
import { UUID_RE, nameFromVi, normalizeUuid } from './state.js';
import type { Vi } from './from-config.js';

/** How long a define/edit/undefine waits for its task before answering 504. */
const TASK_TIMEOUT_MS = 120_000;

export interface DefineOptions {
  signal?: AbortSignal;
}

/** Waits for an operation to finish; a failed task becomes its ApiError. */
export async function finish(ops: Operations, op: Operation, signal?: AbortSignal): Promise<Operation> {
  const deadline = Date.now() + TASK_TIMEOUT_MS;
  let cur = op;
  while (cur.status === 'running' && Date.now() < deadline) cur = await ops.wait(op.id, deadline - Date.now(), signal);
  if (cur.status === 'succeeded') return cur;
  if (cur.status === 'running') throw new ApiError('operation-timeout', `${op.kind} is still running after ${TASK_TIMEOUT_MS / 1000}s; see /v1/operations/${op.id}`, { operation: op.id });
  const e = cur.error;
  const code = (e?.code ?? 'operation-failed') as ConstructorParameters<typeof ApiError>[0];
  throw new ApiError(code, e?.detail ?? `${op.kind} ${cur.status}`, { ...(e?.fault ? { fault: e.fault } : {}), operation: op.id });
}

/** Port groups of the datacenter (standard and distributed) and the datastores of the host(s). */
export async function specContext(drv: DomainDriver, signal?: AbortSignal): Promise<SpecContext & { datastores: Map<string, MoRef> }> {
  const conn = drv.conn;
  const s = await conn.scope(signal);
  const pc = conn.vi.pc;
  const [nets, dvpgs, dss] = await Promise.all([
    pc.container(s.datacenter, [{ type: 'Network', pathSet: ['name'] }], { signal }),
    pc.container(s.datacenter, [{ type: 'DistributedVirtualPortgroup', pathSet: ['name', 'key', 'config.distributedVirtualSwitch'] }], { signal }).catch(() => []),
    datastoresInScope(drv, signal),
  ]);
  const networks = new Map<string, PortGroup>();
  for (const n of nets) networks.set(nameFromVi(String(n.props.name)), { name: String(n.props.name), ref: n.ref });
  const switches = dvpgs.map((p) => p.props['config.distributedVirtualSwitch'] as MoRef | undefined).filter((r): r is MoRef => !!r);
  const uuids = new Map<string, string>();
  if (switches.length) {
    for (const sw of await pc.objects(switches, 'DistributedVirtualSwitch', ['uuid'], { signal })) uuids.set(sw.ref.value, String(sw.props.uuid));
  }
  for (const p of dvpgs) {
    const sw = p.props['config.distributedVirtualSwitch'] as MoRef | undefined;
    const uuid = sw && uuids.get(sw.value);
    if (uuid) networks.set(nameFromVi(String(p.props.name)), { name: String(p.props.name), ref: p.ref, dvs: { portgroupKey: String(p.props.key), switchUuid: uuid } });
  }
  const datastores = new Map<string, MoRef>();
  for (const d of dss) if (d.props['summary.accessible'] !== false) datastores.set(String(d.props.name), d.ref);
  const first = [...datastores.keys()].sort()[0];
  if (!first) throw new ApiError('operation-invalid', 'no accessible datastore in the connection scope');
  return { networks, defaultDatastore: first, datastores };
}

/** Datastores the scope's host or compute resource sees (the datacenter's without either). */
async function datastoresInScope(drv: DomainDriver, signal?: AbortSignal) {
  const s = await drv.conn.scope(signal);
  const pc = drv.conn.vi.pc;
  const holder = s.host ?? s.computeResource;
  const spec = [{ type: 'Datastore', pathSet: ['name', 'summary.accessible'] }];
  if (!holder) return pc.container(s.datacenter, spec, { signal });
  const refs = ((await pc.object(holder, ['datastore'], { signal }))?.props.datastore ?? []) as MoRef[];
  return pc.objects(refs, 'Datastore', spec[0]!.pathSet, { signal });
}

/** The resource pool (and host, when the URI names one) new VMs go to. */
async function placement(drv: DomainDriver, signal?: AbortSignal): Promise<{ pool: MoRef; host?: MoRef }> {
  const conn = drv.conn;
  const s = await conn.scope(signal);
  const pc = conn.vi.pc;
  let cr = s.computeResource;
  if (!cr && s.host) cr = (await pc.object(s.host, ['parent'], { signal }))?.props.parent as MoRef | undefined;
  if (!cr) cr = (await pc.container(s.hostFolder, [{ type: 'ComputeResource', pathSet: ['name'] }], { signal }))[0]?.ref;
  const pool = cr && ((await pc.object(cr, ['resourcePool'], { signal }))?.props.resourcePool as MoRef | undefined);
  if (!pool) throw new ApiError('operation-invalid', 'no resource pool in the connection scope to create the domain in');
  return { pool, ...(s.host && conn.vi.isVCenter ? { host: s.host } : {}) };
}

/** Throws dom-exist when a domain with the definition's name or UUID exists. */
async function checkUnique(drv: DomainDriver, def: DomainDefinition, signal?: AbortSignal): Promise<void> {
  const conn = drv.conn;
  const s = await conn.scope(signal);
  const all = await conn.vi.pc.container(s.datacenter, [{ type: 'VirtualMachine', pathSet: ['name', 'config.uuid'] }], { signal });
  const uuid = def.uuid && UUID_RE.test(def.uuid) ? normalizeUuid(def.uuid) : undefined;
  for (const v of all) {
    if (nameFromVi(String(v.props.name)) === def.name) throw new ApiError('dom-exist', `domain '${def.name}' already exists`, { moref: v.ref.value });
    if (uuid && typeof v.props['config.uuid'] === 'string' && normalizeUuid(v.props['config.uuid']) === uuid) {
      throw new ApiError('dom-exist', `domain '${nameFromVi(String(v.props.name))}' already has UUID ${uuid}`, { moref: v.ref.value });
    }
  }
}

/** Creates the VM; returns its MoRef. A failed creation is cleaned up before the error is thrown. */
export async function defineDomain(drv: DomainDriver, ops: Operations, def: DomainDefinition, o: DefineOptions = {}): Promise<MoRef> {
  return mapVi(async () => {
    const ctx = await specContext(drv, o.signal);
    const spec = createSpec(def, ctx);
    if (!ctx.datastores.has(spec.files.vmPathName.slice(1, -1))) {
      throw new ApiError('invalid-arg', `no datastore '${spec.files.vmPathName.slice(1, -1)}' in the connection scope`, { element: 'devices/disk/source@file' });
    }
    await checkUnique(drv, def, o.signal);
    const s = await drv.conn.scope(o.signal);
    const { pool, host } = await placement(drv, o.signal);
    const op = await ops.start({
      kind: 'domain.define',
      target: { type: 'domain', name: def.name, ...(def.uuid ? { uuid: normalizeUuid(def.uuid) } : {}) },
      signal: o.signal,
      begin: () => drv.conn.call<MoRef>('CreateVM_Task', { _this: s.vmFolder, config: spec, pool, ...(host ? { host } : {}) }, { signal: o.signal }),
    });
    try {
      const done = await finish(ops, op, o.signal);
      return done.result as MoRef;
    } catch (e) {
      await cleanupFailedDefine(drv, def);
      throw e;
    }
  });
}

/** ESX may register the VM before a device fails: remove what a failed define left. */
async function cleanupFailedDefine(drv: DomainDriver, def: DomainDefinition): Promise<void> {
  try {
    const s = await drv.conn.scope();
    const all = await drv.conn.vi.pc.container(s.datacenter, [{ type: 'VirtualMachine', pathSet: ['name'] }]);
    for (const v of all.filter((x) => nameFromVi(String(x.props.name)) === def.name)) {
      await drv.conn.call('UnregisterVM', { _this: v.ref });
    }
  } catch {
    /* best effort: the original error is what the client needs */
  }
}

/** Replaces the definition of a shut-off domain (ReconfigVM_Task). Name changes rename the VM. */
export async function editDomain(drv: DomainDriver, ops: Operations, domain: string, def: DomainDefinition, o: DefineOptions = {}): Promise<void> {
  const found = await drv.lookup(domain, ['name', 'config', 'runtime.powerState'], o.signal);
  const cfg = (found.props.config ?? {}) as Vi;
  const name = nameFromVi(String(found.props.name));
  if (found.props['runtime.powerState'] !== 'poweredOff') {
    throw new ApiError('operation-invalid', `domain '${name}' must be shut off to edit its definition`, { fault: 'InvalidPowerState' });
  }
  if (def.uuid && typeof cfg.uuid === 'string' && normalizeUuid(def.uuid) !== normalizeUuid(cfg.uuid)) {
    throw new ApiError('invalid-arg', `the definition's UUID ${def.uuid} is not the domain's (${cfg.uuid})`, { element: 'uuid' });
  }
  await mapVi(async () => {
    if (def.name !== name) await checkUnique(drv, { ...def, uuid: undefined }, o.signal);
    const ctx = await specContext(drv, o.signal);
    const spec = baseSpec(def);
    delete spec.uuid;
    const changes = editDeviceChanges(cfg, def, ctx);
    if (changes.length) spec.deviceChange = changes;
    await reconfigure(drv, ops, found.ref, { name, uuid: cfg.uuid }, spec, 'domain.edit', o.signal);
  });
}

/** ReconfigVM_Task as an operation, waited for. */
export async function reconfigure(drv: DomainDriver, ops: Operations, vm: MoRef, who: { name: string; uuid?: string }, spec: Vi, kind: string, signal?: AbortSignal): Promise<void> {
  const op = await ops.start({
    kind,
    target: { type: 'domain', name: who.name, ...(who.uuid ? { uuid: normalizeUuid(who.uuid) } : {}), moref: vm.value },
    vm,
    signal,
    begin: () => drv.conn.call<MoRef>('ReconfigVM_Task', { _this: vm, spec }, { signal }),
  });
  await finish(ops, op, signal);
}

/** UnregisterVM (files kept), or Destroy_Task with deleteFiles (libvirt has no such option). */
export async function undefineDomain(drv: DomainDriver, ops: Operations, domain: string, o: DefineOptions & { deleteFiles?: boolean } = {}): Promise<void> {
  const found = await drv.lookup(domain, ['name', 'config.uuid', 'runtime.powerState'], o.signal);
  const name = nameFromVi(String(found.props.name));
  // libvirt's esxDomainUndefine refuses an active domain; vSphere would too (InvalidPowerState).
  if (found.props['runtime.powerState'] !== 'poweredOff') {
    throw new ApiError('operation-invalid', `domain '${name}' is active; destroy it first`, { fault: 'InvalidPowerState' });
  }
  const notFound = { ManagedObjectNotFound: ['no-domain', `domain '${name}' disappeared`] as ['no-domain', string] };
  if (!o.deleteFiles) {
    await mapVi(() => drv.conn.call('UnregisterVM', { _this: found.ref }, { signal: o.signal }), notFound);
    await drv.mirror?.refreshVm(found.ref); // read-your-writes: the list no longer shows it
    return;
  }
  await mapVi(async () => {
    const uuid = found.props['config.uuid'];
    const op = await ops.start({
      kind: 'domain.undefine',
      target: { type: 'domain', name, ...(typeof uuid === 'string' && UUID_RE.test(uuid) ? { uuid: normalizeUuid(uuid) } : {}), moref: found.ref.value },
      vm: found.ref,
      signal: o.signal,
      begin: () => drv.conn.call<MoRef>('Destroy_Task', { _this: found.ref }, { signal: o.signal }),
    });
    await finish(ops, op, o.signal);
  }, notFound);
}
