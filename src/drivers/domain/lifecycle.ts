// Domain lifecycle with libvirt's meanings (esxDomainCreate/Shutdown/Reboot/Destroy/Suspend/
// Resume/Reset): the state is checked first, as libvirt does, so a wrong state is a clear 409
// without a round trip; ESX's own InvalidPowerState (a race) maps to the same problem.
import type { MoRef } from '../../vi/soap/encode.js';
import { ApiError, mapVi } from '../errors.js';
import type { Operation, OperationTarget, Operations } from '../operations/types.js';
import { type DomainDriver, SUMMARY_PROPS, type DomainSummary, summaryOf } from './index.js';
import type { DomainState } from './state.js';

export const DOMAIN_ACTIONS = ['start', 'shutdown', 'reboot', 'destroy', 'suspend', 'resume', 'reset'] as const;
export type DomainAction = (typeof DOMAIN_ACTIONS)[number];

interface ActionSpec {
  /** States the action is valid in, and libvirt's message otherwise. */
  from: DomainState[];
  invalid: string;
  method: string;
  /** Guest operations through VMware Tools answer at once; the others are tasks. */
  task: boolean;
}

const SPECS: Record<DomainAction, ActionSpec> = {
  start: { from: ['shutoff'], invalid: 'domain is not powered off', method: 'PowerOnVM_Task', task: true },
  shutdown: { from: ['running'], invalid: 'domain is not powered on', method: 'ShutdownGuest', task: false },
  reboot: { from: ['running'], invalid: 'domain is not powered on', method: 'RebootGuest', task: false },
  destroy: { from: ['running', 'paused'], invalid: 'domain is not powered on', method: 'PowerOffVM_Task', task: true },
  suspend: { from: ['running'], invalid: 'domain is not powered on', method: 'SuspendVM_Task', task: true },
  resume: { from: ['paused'], invalid: 'domain is not suspended', method: 'PowerOnVM_Task', task: true },
  reset: { from: ['running'], invalid: 'domain is not powered on', method: 'ResetVM_Task', task: true },
};

export interface ActionOptions {
  autoAnswer?: boolean;
  signal?: AbortSignal;
}

/** The answer to a guest (non-task) action: ESX accepted the request; the guest acts on it. */
export interface GuestRequest {
  domain: string;
  uuid: string;
  action: DomainAction;
  /** The domain's state when the request was accepted. */
  state: DomainState;
  detail: string;
}

export type ActionResult = { operation: Operation } | { request: GuestRequest };

export const targetOf = (d: DomainSummary): OperationTarget => ({ type: 'domain', name: d.name, uuid: d.uuid, moref: d.moref });

export function checkState(d: DomainSummary, action: DomainAction): void {
  const spec = SPECS[action];
  if (d.template && (action === 'start' || action === 'resume')) {
    throw new ApiError('operation-invalid', `domain '${d.name}' is a template and cannot be started`, { fault: 'InvalidState' });
  }
  if (!spec.from.includes(d.state)) {
    throw new ApiError('operation-invalid', `cannot ${action} domain '${d.name}': ${spec.invalid} (state ${d.state})`, { fault: 'InvalidPowerState', state: d.state });
  }
}

export async function runAction(drv: DomainDriver, ops: Operations, domain: string, action: DomainAction, o: ActionOptions = {}): Promise<ActionResult> {
  const found = await drv.lookup(domain, SUMMARY_PROPS, o.signal);
  const d = summaryOf(found, new Set());
  checkState(d, action);
  const spec = SPECS[action];
  const vm: MoRef = found.ref;
  const notFound = { ManagedObjectNotFound: ['no-domain', `domain '${d.name}' disappeared`] as ['no-domain', string] };
  if (!spec.task) {
    await mapVi(() => drv.conn.call(spec.method, { _this: vm }, { signal: o.signal }), notFound);
    return {
      request: {
        domain: d.name,
        uuid: d.uuid,
        action,
        state: d.state,
        detail: `${spec.method} accepted: the guest OS ${action === 'shutdown' ? 'powers off' : 'restarts'} when it is done; watch GET /v1/domains/{domain}`,
      },
    };
  }
  const operation = await mapVi(
    () =>
      ops.start({
        kind: `domain.${action}`,
        target: targetOf(d),
        vm,
        autoAnswer: o.autoAnswer,
        signal: o.signal,
        begin: () => drv.conn.call<MoRef>(spec.method, { _this: vm }, { signal: o.signal }),
      }),
    notFound,
  );
  return { operation };
}
