// End-to-end checks of the esxsim extensions over raw SOAP (hand-built
// envelopes: deliberately independent of esxgate's own VI client).
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../helpers/esxsim.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  attributeNamePrefix: '@_',
  parseTagValue: false,
});

type Node = Record<string, any>;
const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const text = (x: any): string => (x && typeof x === 'object' ? String(x['#text'] ?? '') : String(x ?? ''));
const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A typed scalar ({'#text', '@_type'}) becomes its text. */
const simplify = (v: any): any =>
  v && typeof v === 'object' && '#text' in v && Object.keys(v).every((k) => k === '#text' || k.startsWith('@_'))
    ? text(v)
    : v;

interface Ref {
  type: string;
  value: string;
}
const ref = (tag: string, r: Ref): string => `<${tag} type="${r.type}">${r.value}</${tag}>`;
const toRef = (n: any): Ref => ({ type: n['@_type'], value: text(n) });

class SoapFault extends Error {
  constructor(
    readonly faultType: string,
    message: string,
  ) {
    super(`${faultType}: ${message}`);
  }
}

class Client {
  cookie?: string;
  content!: Node;
  private readonly agent: Agent;

  constructor(readonly sim: Sim) {
    this.agent = new Agent({ connect: { ca: readFileSync(sim.certPath!, 'utf8') } });
  }

  async call(method: string, thisRef: Ref, inner = ''): Promise<Node> {
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
      `<soapenv:Body><${method} xmlns="urn:vim25">${ref('_this', thisRef)}${inner}</${method}></soapenv:Body></soapenv:Envelope>`;
    const res = await fetch(this.sim.url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: 'urn:vim25/8.0',
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: xml,
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const body = parser.parse(await res.text()) as Node;
    const b = body.Envelope.Body as Node;
    if (b.Fault) {
      const detail = b.Fault.detail ?? {};
      const key = Object.keys(detail).find((k) => k.endsWith('Fault')) ?? 'UnknownFault';
      const type = detail[key]?.['@_type'] ?? key.replace(/Fault$/, '');
      throw new SoapFault(type, text(b.Fault.faultstring));
    }
    return b[`${method}Response`] ?? {};
  }

  async login(username = this.sim.username, password = this.sim.password): Promise<this> {
    const sc = await this.call('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' });
    this.content = sc.returnval;
    await this.call(
      'Login',
      this.moref('sessionManager'),
      `<userName>${esc(username)}</userName><password>${esc(password)}</password>`,
    );
    return this;
  }

  moref(name: string): Ref {
    return toRef(this.content[name]);
  }

  /** RetrievePropertiesEx of paths on one object -> { path: parsed value node } */
  async props(obj: Ref, paths: string[]): Promise<Node> {
    const r = await this.call(
      'RetrievePropertiesEx',
      this.moref('propertyCollector'),
      `<specSet><propSet><type>${obj.type}</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>` +
        `<objectSet>${ref('obj', obj)}</objectSet></specSet><options/>`,
    );
    const out: Node = {};
    for (const o of arr(r.returnval?.objects)) for (const p of arr<any>(o.propSet)) out[p.name] = simplify(p.val);
    return out;
  }

  /** All objects of a type via a container view on the root folder. */
  async all(type: string): Promise<Ref[]> {
    const v = await this.call(
      'CreateContainerView',
      this.moref('viewManager'),
      `${ref('container', this.moref('rootFolder'))}<type>${type}</type><recursive>true</recursive>`,
    );
    const view = toRef(v.returnval);
    const p = await this.props(view, ['view']);
    await this.call('DestroyView', view);
    return arr<any>(p.view?.ManagedObjectReference).map(toRef);
  }

  async taskInfo(task: Ref): Promise<Node> {
    return (await this.props(task, ['info'])).info;
  }

  async waitTask(task: Ref, timeoutMs = 10_000): Promise<Node> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const info = await this.taskInfo(task);
      if (info.state === 'success' || info.state === 'error') return info;
      if (Date.now() > end) throw new Error(`task ${task.value} still ${info.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async vmByName(name: string): Promise<Ref> {
    for (const vm of await this.all('VirtualMachine')) {
      if ((await this.props(vm, ['name'])).name === name) return vm;
    }
    throw new Error(`no VM ${name}`);
  }

  async reconfigExtra(vm: Ref, kv: Record<string, string>): Promise<Node> {
    const opts = Object.entries(kv)
      .map(([k, v]) => `<extraConfig xsi:type="OptionValue"><key>${esc(k)}</key><value xsi:type="xsd:string">${esc(v)}</value></extraConfig>`)
      .join('');
    const t = await this.call('ReconfigVM_Task', vm, `<spec>${opts}</spec>`);
    return this.waitTask(toRef(t.returnval));
  }
}

async function expectFault(p: Promise<unknown>, type: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ faultType: type });
}

describe('esxsim (ESX model)', () => {
  let sim: Sim;
  let c: Client;

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 3, faults: { QueryMemoryOverhead: 'SystemError' } });
    c = await new Client(sim).login();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('prints an https URL and only accepts the configured credentials', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/sdk$/);
    expect(c.content.about.apiType).toBe('HostAgent');
    await expectFault(new Client(sim).login('user', 'wrong'), 'InvalidLogin');
    await expectFault(new Client(sim).login('root', 'pass'), 'InvalidLogin');
  });

  it('injects configured faults', async () => {
    const host = (await c.all('HostSystem'))[0]!;
    await expectFault(
      c.call('QueryMemoryOverhead', host, '<memorySize>1</memorySize><numVcpus>1</numVcpus>'),
      'SystemError',
    );
  });

  it('VM ids look like vm-N', async () => {
    const vms = await c.all('VirtualMachine');
    expect(vms).toHaveLength(3);
    for (const vm of vms) expect(vm.value).toMatch(/^vm-\d+$/);
  });

  it('a question blocks PowerOnVM_Task until AnswerVM', async () => {
    const vm = await c.vmByName('ha-host_VM0');
    // Model VMs start powered on: power off first.
    await c.waitTask(toRef((await c.call('PowerOffVM_Task', vm)).returnval));
    const rc = await c.reconfigExtra(vm, {
      'esxsim.question': 'Did you move or copy it?',
      'esxsim.question.choices': '0:Cancel,1:I moved it,2:I copied it',
      'esxsim.question.default': '2',
    });
    expect(rc.state).toBe('success');

    const task = toRef((await c.call('PowerOnVM_Task', vm)).returnval);
    const info = await c.taskInfo(task);
    expect(info.state).toBe('running');
    expect(info.cancelable).toBe('false');
    const rt = (await c.props(vm, ['runtime'])).runtime;
    expect(rt.powerState).toBe('poweredOff');
    const q = rt.question;
    expect(q.text).toBe('Did you move or copy it?');
    expect(q.choice.defaultIndex).toBe('2');
    const choices = arr<any>(q.choice.choiceInfo);
    expect(choices.map((x) => [x.key, x.label])).toEqual([
      ['0', 'Cancel'],
      ['1', 'I moved it'],
      ['2', 'I copied it'],
    ]);

    await expectFault(c.call('CancelTask', task), 'NotSupported');
    await expectFault(c.call('AnswerVM', vm, `<questionId>${q.id}</questionId><answerChoice>9</answerChoice>`), 'InvalidArgument');
    await expectFault(c.call('AnswerVM', vm, `<questionId>bogus</questionId><answerChoice>1</answerChoice>`), 'ConcurrentAccess');
    expect((await c.taskInfo(task)).state).toBe('running');

    await c.call('AnswerVM', vm, `<questionId>${q.id}</questionId><answerChoice>1</answerChoice>`);
    const done = await c.waitTask(task);
    expect(done.state).toBe('success');
    const after = (await c.props(vm, ['runtime'])).runtime;
    expect(after.powerState).toBe('poweredOn');
    expect(after.question).toBeUndefined();
    // answered: a second answer is refused
    await expectFault(c.call('AnswerVM', vm, `<questionId>${q.id}</questionId><answerChoice>1</answerChoice>`), 'ConcurrentAccess');
  });

  it('reconfiguring a powered-on VM with esxsim.question raises it at once', async () => {
    const vm = await c.vmByName('ha-host_VM1');
    expect((await c.props(vm, ['runtime.powerState']))['runtime.powerState']).toBe('poweredOn');
    await c.reconfigExtra(vm, { 'esxsim.question': 'Continue?' });
    const q = (await c.props(vm, ['runtime.question']))['runtime.question'];
    expect(q.text).toBe('Continue?');
    await c.call('AnswerVM', vm, `<questionId>${q.id}</questionId><answerChoice>0</answerChoice>`);
    expect((await c.props(vm, ['runtime.question']))['runtime.question']).toBeUndefined();
    // empty value deletes the key (ESX semantics), and keys stay unique
    await c.reconfigExtra(vm, { 'esxsim.question': '' });
    const ec = arr<any>((await c.props(vm, ['config.extraConfig']))['config.extraConfig'].OptionValue);
    expect(ec.filter((o) => o.key === 'esxsim.question')).toHaveLength(0);
  });

  it('pages RetrievePropertiesEx with maxObjects and continues with the token', async () => {
    const vms = await c.all('VirtualMachine');
    const spec =
      `<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>` +
      vms.map((vm) => `<objectSet>${ref('obj', vm)}</objectSet>`).join('') +
      `</specSet>`;
    const pc = c.moref('propertyCollector');
    const first = await c.call('RetrievePropertiesEx', pc, `${spec}<options><maxObjects>2</maxObjects></options>`);
    expect(arr(first.returnval.objects)).toHaveLength(2);
    const token = text(first.returnval.token);
    expect(token).not.toBe('');
    const next = await c.call('ContinueRetrievePropertiesEx', pc, `<token>${token}</token>`);
    expect(arr(next.returnval.objects)).toHaveLength(1);
    expect(next.returnval.token).toBeUndefined();
    await expectFault(c.call('ContinueRetrievePropertiesEx', pc, `<token>${token}</token>`), 'InvalidArgument');

    const again = await c.call('RetrievePropertiesEx', pc, `${spec}<options><maxObjects>1</maxObjects></options>`);
    await c.call('CancelRetrievePropertiesEx', pc, `<token>${text(again.returnval.token)}</token>`);
    await expectFault(
      c.call('ContinueRetrievePropertiesEx', pc, `<token>${text(again.returnval.token)}</token>`),
      'InvalidArgument',
    );
  });
});

describe('esxsim -task-delay', () => {
  let sim: Sim;
  let c: Client;

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 2, taskDelay: 800 });
    c = await new Client(sim).login();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('keeps tasks running with progress visible through WaitForUpdatesEx', async () => {
    const vm = await c.vmByName('ha-host_VM0');
    const task = toRef((await c.call('PowerOffVM_Task', vm)).returnval);
    const pc = c.moref('propertyCollector');
    await c.call(
      'CreateFilter',
      pc,
      `<spec><propSet><type>Task</type><pathSet>info.progress</pathSet><pathSet>info.state</pathSet></propSet>` +
        `<objectSet>${ref('obj', task)}</objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    const progress: number[] = [];
    let state = '';
    let version = '';
    while (state !== 'success' && state !== 'error') {
      const r = await c.call(
        'WaitForUpdatesEx',
        pc,
        `<version>${version}</version><options><maxWaitSeconds>5</maxWaitSeconds></options>`,
      );
      if (!r.returnval) continue;
      version = text(r.returnval.version);
      for (const fs of arr<any>(r.returnval.filterSet))
        for (const os of arr<any>(fs.objectSet))
          for (const ch of arr<any>(os.changeSet)) {
            if (ch.name === 'info.progress' && ch.val !== undefined) progress.push(Number(text(ch.val)));
            if (ch.name === 'info.state') state = text(ch.val);
          }
    }
    expect(state).toBe('success');
    expect(progress).toEqual(expect.arrayContaining([25, 50, 75]));
    expect((await c.props(vm, ['runtime.powerState']))['runtime.powerState']).toBe('poweredOff');
  });

  it('CancelTask ends a delayed task with RequestCanceled; power-on is not cancelable', async () => {
    const vm = await c.vmByName('ha-host_VM1');
    const off = toRef((await c.call('PowerOffVM_Task', vm)).returnval);
    expect((await c.taskInfo(off)).cancelable).toBe('true');
    await c.call('CancelTask', off);
    const info = await c.waitTask(off);
    expect(info.state).toBe('error');
    expect(info.error.fault['@_type']).toBe('RequestCanceled');
    expect((await c.props(vm, ['runtime.powerState']))['runtime.powerState']).toBe('poweredOn');
    await expectFault(c.call('CancelTask', off), 'InvalidState');

    await c.waitTask(toRef((await c.call('PowerOffVM_Task', vm)).returnval));
    const on = toRef((await c.call('PowerOnVM_Task', vm)).returnval);
    await expectFault(c.call('CancelTask', on), 'NotSupported');
    expect((await c.waitTask(on)).state).toBe('success');
  });
});
