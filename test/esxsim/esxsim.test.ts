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

/** A typed scalar ({'#text', '@_xsiType'}) becomes its text; MORs (with '@_type') stay. */
const simplify = (v: any): any =>
  v && typeof v === 'object' && '#text' in v && Object.keys(v).every((k) => k === '#text' || k === '@_xsiType')
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
    // xsi:type would collide with a MOR's own "type" attribute once prefixes are
    // stripped; the simulator even declares its own prefix for it
    // (xmlns:XMLSchema-instance=... XMLSchema-instance:type=...).
    const raw = (await res.text()).replace(/\s[\w-]+:type="/g, (m) => (m.includes('xmlns') ? m : ' xsiType="'));
    const body = parser.parse(raw) as Node;
    const b = body.Envelope.Body as Node;
    if (b.Fault) {
      const detail = b.Fault.detail ?? {};
      const key = Object.keys(detail).find((k) => k.endsWith('Fault')) ?? 'UnknownFault';
      const type = detail[key]?.['@_xsiType'] ?? key.replace(/Fault$/, '');
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
    const offInfo = await c.waitTask(toRef((await c.call('PowerOffVM_Task', vm)).returnval));
    expect([offInfo.name, offInfo.entityName, offInfo.reason.userName]).toEqual(['PowerOffVM_Task', 'ha-host_VM0', 'user']);
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

  it('powering off a VM waiting on a question abandons the power-on', async () => {
    const vm = await c.vmByName('ha-host_VM2');
    await c.waitTask(toRef((await c.call('PowerOffVM_Task', vm)).returnval));
    await c.reconfigExtra(vm, { 'esxsim.question': 'Stuck?' });
    const on = toRef((await c.call('PowerOnVM_Task', vm)).returnval);
    expect((await c.props(vm, ['runtime.question']))['runtime.question'].text).toBe('Stuck?');
    const off = await c.waitTask(toRef((await c.call('PowerOffVM_Task', vm)).returnval));
    expect(off.state).toBe('success');
    const onInfo = await c.waitTask(on);
    expect(onInfo.state).toBe('error');
    expect(onInfo.error.fault['@_xsiType']).toBe('RequestCanceled');
    expect((await c.props(vm, ['runtime']))['runtime'].question).toBeUndefined();
    await c.reconfigExtra(vm, { 'esxsim.question': '' });
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

describe('esxsim (ESX model): host and guest extensions', () => {
  let sim: Sim;
  let c: Client;
  let host: Ref;

  beforeAll(async () => {
    sim = await startSim({ esx: true, vms: 2, methodDelay: { CurrentTime: 300 } });
    c = await new Client(sim).login();
    host = (await c.all('HostSystem'))[0]!;
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('applies -method-delay', async () => {
    const t0 = Date.now();
    await c.call('CurrentTime', { type: 'ServiceInstance', value: 'ServiceInstance' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('has an auto-start manager whose ReconfigureAutostart is visible', async () => {
    const cm = (await c.props(host, ['configManager'])).configManager;
    const asm = toRef(cm.autoStartManager);
    expect(asm).toEqual({ type: 'HostAutoStartManager', value: 'ha-autostart-mgr' });
    const before = (await c.props(asm, ['config'])).config;
    expect(before.defaults.enabled).toBe('false');
    expect(before.powerInfo).toBeUndefined();
    const [vm0, vm1] = await c.all('VirtualMachine');
    const pi = (vm: Ref, order: number) =>
      `<powerInfo>${ref('key', vm)}<startOrder>${order}</startOrder><startDelay>-1</startDelay>` +
      `<waitForHeartbeat>systemDefault</waitForHeartbeat><startAction>powerOn</startAction>` +
      `<stopDelay>-1</stopDelay><stopAction>systemDefault</stopAction></powerInfo>`;
    await c.call(
      'ReconfigureAutostart',
      asm,
      `<spec><defaults><enabled>true</enabled><startDelay>30</startDelay></defaults>${pi(vm1!, 1)}${pi(vm0!, 2)}</spec>`,
    );
    const after = (await c.props(asm, ['config'])).config;
    expect(after.defaults.enabled).toBe('true');
    expect(after.defaults.startDelay).toBe('30');
    expect(after.defaults.stopDelay).toBe('120');
    expect(arr<any>(after.powerInfo).map((p) => [text(p.key), p.startOrder, p.startAction])).toEqual([
      [vm1!.value, '1', 'powerOn'],
      [vm0!.value, '2', 'powerOn'],
    ]);
    await expectFault(
      c.call('ReconfigureAutostart', asm, `<spec><powerInfo>${ref('key', vm0!)}<startOrder>1</startOrder><startDelay>0</startDelay><waitForHeartbeat>no</waitForHeartbeat><startAction>explode</startAction><stopDelay>0</stopDelay><stopAction>none</stopAction></powerInfo></spec>`),
      'InvalidArgument',
    );
  });

  it('guest operations need running Tools', async () => {
    const [vm0, vm1] = await c.all('VirtualMachine');
    const g = (await c.props(vm0!, ['guest'])).guest;
    expect(g.toolsRunningStatus).toBe('guestToolsRunning');
    await c.call('RebootGuest', vm0!);
    expect((await c.props(vm0!, ['runtime.powerState']))['runtime.powerState']).toBe('poweredOn');
    await c.call('StandbyGuest', vm0!);
    expect((await c.props(vm0!, ['runtime.powerState']))['runtime.powerState']).toBe('suspended');
    await expectFault(c.call('ShutdownGuest', vm0!), 'InvalidPowerState');

    await c.reconfigExtra(vm1!, { 'esxsim.tools': 'notRunning' });
    expect((await c.props(vm1!, ['guest.toolsRunningStatus']))['guest.toolsRunningStatus']).toBe('guestToolsNotRunning');
    await expectFault(c.call('ShutdownGuest', vm1!), 'ToolsUnavailable');
    await c.reconfigExtra(vm1!, { 'esxsim.tools': '' });
    await c.call('ShutdownGuest', vm1!);
    expect((await c.props(vm1!, ['runtime.powerState']))['runtime.powerState']).toBe('poweredOff');
    expect((await c.props(vm1!, ['guest.toolsRunningStatus']))['guest.toolsRunningStatus']).toBe('guestToolsNotRunning');
  });

  it('creates screenshots and zero-fills disks', async () => {
    const vm = (await c.all('VirtualMachine'))[0]!;
    await c.waitTask(toRef((await c.call('PowerOnVM_Task', vm)).returnval)); // resume from suspended
    const info = await c.waitTask(toRef((await c.call('CreateScreenshot_Task', vm)).returnval));
    expect(info.state).toBe('success');
    const path = text(info.result);
    expect(path).toMatch(/^\[LocalDS_0\] .+\/.+-1\.png$/);
    // fetch it over /folder (Range supported)
    const m = /^\[(.+?)\] (.+)$/.exec(path)!;
    const res = await fetch(
      `${sim.url.replace(/\/sdk$/, '')}/folder/${encodeURI(m[2]!)}?dcPath=ha-datacenter&dsName=${encodeURIComponent(m[1]!)}`,
      { dispatcher: new Agent({ connect: { ca: readFileSync(sim.certPath!, 'utf8') } }), headers: { cookie: c.cookie!, range: 'bytes=0-7' } },
    );
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // /folder needs a session cookie or basic credentials; PUT writes files
    const dispatcher = new Agent({ connect: { ca: readFileSync(sim.certPath!, 'utf8') } });
    const fileUrl = `${sim.url.replace(/\/sdk$/, '')}/folder/upload/hello.txt?dcPath=ha-datacenter&dsName=LocalDS_0`;
    expect((await fetch(fileUrl, { dispatcher, method: 'PUT', body: 'hi' })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
    expect((await fetch(fileUrl, { dispatcher, method: 'PUT', body: 'hello', headers: { authorization: basic } })).status).toBe(200);
    const got = await fetch(fileUrl, { dispatcher, headers: { authorization: basic } });
    expect(await got.text()).toBe('hello');

    const vmx = (await c.props(vm, ['config.files.vmPathName']))['config.files.vmPathName'];
    const disk = String(vmx).replace(/[^/]+\.vmx$/, 'disk1.vmdk');
    const vdm = c.moref('virtualDiskManager');
    const ok = await c.waitTask(toRef((await c.call('ZeroFillVirtualDisk_Task', vdm, `<name>${esc(disk)}</name>`)).returnval));
    expect(ok.state).toBe('success');
    const bad = await c.waitTask(toRef((await c.call('ZeroFillVirtualDisk_Task', vdm, `<name>[LocalDS_0] nope/x.vmdk</name>`)).returnval));
    expect(bad.state).toBe('error');
    expect(bad.error.fault['@_xsiType']).toBe('FileNotFound');
  });

  it('manages vSwitches and port groups, mirrored in host.config.network', async () => {
    const ns = toRef((await c.props(host, ['configManager'])).configManager.networkSystem);
    const pnics = arr<any>((await c.props(host, ['config.network.pnic']))['config.network.pnic'].PhysicalNic);
    expect(pnics.map((p) => p.device)).toEqual(['vmnic0', 'vmnic1']);
    for (const p of pnics) {
      expect(p.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(p.linkSpeed.speedMb).toBe('10000');
    }
    await c.call(
      'AddVirtualSwitch',
      ns,
      `<vswitchName>vSwitch1</vswitchName><spec><numPorts>64</numPorts><bridge xsi:type="HostVirtualSwitchBondBridge"><nicDevice>vmnic1</nicDevice></bridge><mtu>9000</mtu></spec>`,
    );
    await expectFault(c.call('AddVirtualSwitch', ns, `<vswitchName>vSwitch1</vswitchName>`), 'AlreadyExists');
    const pgSpec = (name: string, vlan: number) =>
      `<portgrp><name>${name}</name><vlanId>${vlan}</vlanId><vswitchName>vSwitch1</vswitchName><policy/></portgrp>`;
    await c.call('AddPortGroup', ns, pgSpec('Lab', 10));
    await expectFault(c.call('AddPortGroup', ns, pgSpec('Lab', 10)), 'AlreadyExists');
    await c.call('UpdatePortGroup', ns, `<pgName>Lab</pgName>${pgSpec('Lab2', 20)}`);

    const net = (await c.props(host, ['config.network']))['config.network'];
    const vs1 = arr<any>(net.vswitch).find((v) => v.name === 'vSwitch1');
    expect(vs1.key).toBe('key-vim.host.VirtualSwitch-vSwitch1');
    expect(vs1.mtu).toBe('9000');
    expect(arr(vs1.pnic)).toEqual(['key-vim.host.PhysicalNic-vmnic1']);
    expect(arr(vs1.portgroup)).toEqual(['key-vim.host.PortGroup-Lab2']);
    const pg = arr<any>(net.portgroup).find((p) => p.spec.name === 'Lab2');
    expect(pg.spec.vlanId).toBe('20');
    expect(pg.vswitch).toBe('key-vim.host.VirtualSwitch-vSwitch1');
    const nets = await c.all('Network');
    const names = await Promise.all(nets.map(async (n) => (await c.props(n, ['name'])).name));
    expect(names).toContain('Lab2');
    expect(nets.find((n, i) => names[i] === 'Lab2')!.value).toBe('HaNetwork-Lab2');

    await expectFault(c.call('RemoveVirtualSwitch', ns, `<vswitchName>vSwitch0</vswitchName>`), 'ResourceInUse');
    await c.call('RemoveVirtualSwitch', ns, `<vswitchName>vSwitch1</vswitchName>`);
    const after = (await c.props(ns, ['networkInfo']))['networkInfo'];
    expect(arr<any>(after.vswitch).map((v) => v.name)).toEqual(['vSwitch0']);
    expect(arr<any>(after.portgroup).map((p) => p.spec.name)).not.toContain('Lab2');
    await expectFault(c.call('RemovePortGroup', ns, `<pgName>Lab2</pgName>`), 'NotFound');
  });

  it('lists and terminates sessions', async () => {
    const sm = c.moref('sessionManager');
    const other = await new Client(sim).login();
    const cur = (await other.props(sm, ['currentSession'])).currentSession;
    const list = arr<any>((await c.props(sm, ['sessionList'])).sessionList?.UserSession);
    expect(list.map((s) => s.key)).toContain(cur.key);
    await c.call('TerminateSession', sm, `<sessionId>${cur.key}</sessionId>`);
    await expectFault(other.call('CurrentTime', { type: 'ServiceInstance', value: 'ServiceInstance' }), 'NotAuthenticated');
    const list2 = arr<any>((await c.props(sm, ['sessionList'])).sessionList?.UserSession);
    expect(list2.map((s) => s.key)).not.toContain(cur.key);
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
    const ti = await c.taskInfo(task);
    expect([ti.name, ti.descriptionId, ti.entityName, ti.state]).toEqual(['PowerOffVM_Task', 'VirtualMachine.powerOff', 'ha-host_VM0', 'running']);
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
    expect(info.error.fault['@_xsiType']).toBe('RequestCanceled');
    expect((await c.props(vm, ['runtime.powerState']))['runtime.powerState']).toBe('poweredOn');
    await expectFault(c.call('CancelTask', off), 'InvalidState');

    await c.waitTask(toRef((await c.call('PowerOffVM_Task', vm)).returnval));
    const on = toRef((await c.call('PowerOnVM_Task', vm)).returnval);
    await expectFault(c.call('CancelTask', on), 'NotSupported');
    expect((await c.waitTask(on)).state).toBe('success');
  });
});

describe('esxsim (vCenter model)', () => {
  let sim: Sim;
  let c: Client;

  beforeAll(async () => {
    sim = await startSim({ vms: 1, username: 'administrator@vsphere.local', password: 'S3cret!' });
    c = await new Client(sim).login();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('is a VirtualCenter with an auto-start manager per host', async () => {
    expect(c.content.about.apiType).toBe('VirtualCenter');
    const hosts = await c.all('HostSystem');
    expect(hosts.length).toBe(4); // 3 in the cluster + 1 standalone
    const asms = await Promise.all(hosts.map(async (h) => toRef((await c.props(h, ['configManager'])).configManager.autoStartManager)));
    expect(new Set(asms.map((a) => a.value)).size).toBe(4);
    for (const a of asms) expect((await c.props(a, ['config'])).config.defaults.startDelay).toBe('120');
  });

  it('asks the question of a VM created at runtime', async () => {
    const dc = (await c.all('Datacenter'))[0]!;
    const vmFolder = toRef((await c.props(dc, ['vmFolder'])).vmFolder);
    const pool = (await c.all('ResourcePool'))[0]!;
    const t = await c.call(
      'CreateVM_Task',
      vmFolder,
      `<config><name>asker</name><guestId>otherGuest</guestId><files><vmPathName>[LocalDS_0]</vmPathName></files>` +
        `<extraConfig xsi:type="OptionValue"><key>esxsim.question</key><value xsi:type="xsd:string">Proceed?</value></extraConfig></config>` +
        ref('pool', pool),
    );
    const created = await c.waitTask(toRef(t.returnval));
    expect(created.state).toBe('success');
    const vm = toRef(created.result);
    const on = toRef((await c.call('PowerOnVM_Task', vm)).returnval);
    const q = (await c.props(vm, ['runtime.question']))['runtime.question'];
    expect(q.text).toBe('Proceed?');
    expect(arr<any>(q.choice.choiceInfo).map((x) => x.label)).toEqual(['Yes', 'No']);
    expect((await c.taskInfo(on)).state).toBe('running');
    await c.call('AnswerVM', vm, `<questionId>${q.id}</questionId><answerChoice>0</answerChoice>`);
    expect((await c.waitTask(on)).state).toBe('success');
  });

  it('restarts on the same port with the same certificate', async () => {
    const port = sim.port;
    const pid = sim.pid;
    await sim.restart();
    expect(sim.port).toBe(port);
    expect(sim.pid).not.toBe(pid);
    await expectFault(c.call('CurrentTime', { type: 'ServiceInstance', value: 'ServiceInstance' }), 'NotAuthenticated');
    const again = await new Client(sim).login();
    expect(again.content.about.apiType).toBe('VirtualCenter');
  });
});

describe('esxsim -tls=false', () => {
  it('serves plain http', async () => {
    const sim = await startSim({ esx: true, vms: 0, tls: false });
    try {
      expect(sim.url).toMatch(/^http:\/\//);
      expect(sim.certPath).toBeUndefined();
      const res = await fetch(sim.url.replace(/sdk$/, 'sdk/vimServiceVersions.xml'));
      expect(await res.text()).toContain('urn:vim25');
    } finally {
      await sim.stop();
    }
  });
});
