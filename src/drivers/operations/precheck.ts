// libvirt's checks before starting a task on a VM (esxVI_LookupVirtualMachineByUuidAndPrepareForTask):
// a pending question is answered with its default choice (auto_answer=1) or reported (409); then
// a task still running on the VM refuses the new one (409). One RetrievePropertiesEx reads the
// question and the states of the VM's recent tasks and of the TaskManager's (some servers, like the
// simulator, keep only the latter).
import type { MoRef } from '../../vi/soap/encode.js';
import { isFault } from '../../vi/errors.js';
import type { EsxConnection } from '../connection.js';
import { ApiError, fromVi, mapVi } from '../errors.js';
import type { EventBus } from '../events.js';
import type { OperationRegistry } from './registry.js';
import { type QuestionInfo, describeChoices, questionOf } from './task-info.js';

export async function precheck(
  conn: EsxConnection,
  registry: OperationRegistry,
  bus: EventBus,
  vm: MoRef,
  autoAnswer: boolean,
  signal?: AbortSignal,
): Promise<void> {
  await conn.scope(signal);
  const tm = conn.vi.serviceContent.taskManager;
  const specSet = [
    {
      propSet: [
        { type: 'VirtualMachine', all: false, pathSet: ['name', 'runtime.question'] },
        { type: 'Task', all: false, pathSet: ['info.state', 'info.entity', 'info.name'] },
      ],
      objectSet: [
        { obj: vm, skip: false, selectSet: [{ _type: 'TraversalSpec', name: 'vmTasks', type: 'ManagedEntity', path: 'recentTask', skip: false }] },
        ...(tm ? [{ obj: tm, skip: true, selectSet: [{ _type: 'TraversalSpec', name: 'tmTasks', type: 'TaskManager', path: 'recentTask', skip: false }] }] : []),
      ],
    },
  ];
  const objs = await mapVi(() => conn.vi.pc.retrieve(specSet, { signal }), {
    ManagedObjectNotFound: ['no-domain', `no domain with id '${vm.value}'`],
  });
  const me = objs.find((o) => o.ref.type === 'VirtualMachine' && o.ref.value === vm.value);
  if (!me) throw new ApiError('no-domain', `no domain with id '${vm.value}'`);
  const name = String(me.props.name ?? vm.value);

  const q = questionOf(me.props['runtime.question'] as QuestionInfo | undefined);
  if (q) {
    if (!autoAnswer || q.default === null) {
      const why = !autoAnswer ? 'answer it (POST /v1/operations/{id}/answer of the operation it blocks) or retry with auto_answer=1' : 'it has no default answer, so auto_answer cannot answer it';
      throw new ApiError('question-pending', `a question blocks domain '${name}': "${q.text}"; possible answers: ${describeChoices(q)}; ${why}`, {
        question: q,
        domain: name,
      });
    }
    try {
      await conn.vi.call('AnswerVM', { _this: vm, questionId: q.id, answerChoice: q.default }, { signal });
    } catch (e) {
      // ConcurrentAccess: someone else answered it meanwhile, which is as good.
      if (!isFault(e, 'ConcurrentAccess')) throw fromVi(e);
    }
    bus.publish('question', { domain: name, moref: vm.value, question: q, answered: q.default, by: 'auto_answer' });
  }

  // A task this gateway already saw complete does not count, whichever of the two reads is older;
  // neither does one of ours that ESX just reported complete (our update may still be on its way).
  const state = (o: (typeof objs)[number]) => o.props['info.state'];
  const running = objs.filter(
    (o) =>
      o.ref.type === 'Task' &&
      (state(o) === 'running' || state(o) === 'queued') &&
      (o.props['info.entity'] as MoRef | undefined)?.value === vm.value &&
      !registry.sawComplete(o.ref.value),
  );
  const done = new Set(objs.filter((o) => o.ref.type === 'Task' && (state(o) === 'success' || state(o) === 'error')).map((o) => o.ref.value));
  const ours = registry.activeOn(vm.value).filter((e) => !done.has(e.op.task));
  if (running.length || ours.length) {
    const task = running[0]?.ref.value ?? ours[0]!.op.task;
    const what = String(running[0]?.props['info.name'] ?? ours[0]?.op.kind ?? 'a task');
    throw new ApiError('operation-invalid', `another task (${what}, ${task}) is still running on domain '${name}'; wait for it or cancel it first`, {
      task,
      domain: name,
    });
  }
}
