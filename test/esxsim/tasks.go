package main

// Tasks that outlive their SOAP call. The 0.24.2 simulator runs every task
// synchronously inside the method call, so nothing can watch a task run or
// cancel it. esxsim answers such calls itself with a "front" Task object it
// controls (state running, progress, cancelable), does the work later (for
// simulator methods: by forwarding the original request in-process and copying
// the simulator's task outcome), and completes the front task.

import (
	"fmt"
	"log"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type frontTask struct {
	task       *simulator.Task
	cancelable bool

	mu              sync.Mutex
	done            bool
	cancelRequested bool
	canceled        chan struct{}
}

type taskTable struct {
	mu    sync.Mutex
	tasks map[types.ManagedObjectReference]*frontTask
}

func (t *taskTable) get(ref types.ManagedObjectReference) *frontTask {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tasks[ref]
}

// updateObj applies property changes under the object's registry lock, so
// that PropertyCollector reads (which hold that lock) never race with them.
func updateObj(obj mo.Reference, changes ...types.PropertyChange) {
	simulator.Map.WithLock(obj, func() { simulator.Map.Update(obj, changes) })
}

func entityName(ref types.ManagedObjectReference) string {
	var name string
	if obj := simulator.Map.Get(ref); obj != nil {
		if e, ok := obj.(mo.Entity); ok {
			simulator.Map.WithLock(obj, func() { name = e.Entity().Name })
		}
	}
	if name == "" {
		name = ref.Value
	}
	return name
}

// descriptionID turns "PowerOnVM_Task" into "powerOn" ("VirtualMachine.powerOn").
func descriptionID(method string) string {
	id := strings.TrimSuffix(method, "_Task")
	id = strings.TrimSuffix(id, "VM")
	if id == "" {
		return method
	}
	r := []rune(id)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// newFrontTask creates a running Task for method on entity.
func (e *extensions) newFrontTask(entity types.ManagedObjectReference, method string, cancelable bool) *frontTask {
	desc := descriptionID(method)
	task := simulator.CreateTask(entity, desc, nil)
	ft := &frontTask{task: task, cancelable: cancelable, canceled: make(chan struct{})}
	e.fixTaskInfo(task, method)
	e.tasks.mu.Lock()
	e.tasks.tasks[task.Self] = ft
	e.tasks.mu.Unlock()
	updateObj(task,
		types.PropertyChange{Name: "info.descriptionId", Val: entity.Type + "." + desc},
		types.PropertyChange{Name: "info.cancelable", Val: cancelable},
		types.PropertyChange{Name: "info.startTime", Val: time.Now()},
		types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning},
		types.PropertyChange{Name: "info.progress", Val: int32(0)},
	)
	return ft
}

func (ft *frontTask) ref() types.ManagedObjectReference { return ft.task.Self }

func (ft *frontTask) progress(p int32) {
	updateObj(ft.task, types.PropertyChange{Name: "info.progress", Val: p})
}

func (ft *frontTask) isCanceled() bool {
	select {
	case <-ft.canceled:
		return true
	default:
		return false
	}
}

// finish completes the task with a result or a fault.
func (ft *frontTask) finish(res types.AnyType, fault types.BaseMethodFault) {
	ft.mu.Lock()
	if ft.done {
		ft.mu.Unlock()
		return
	}
	ft.done = true
	ft.mu.Unlock()

	state := types.TaskInfoStateSuccess
	var lf interface{}
	changes := []types.PropertyChange{}
	if fault != nil {
		state = types.TaskInfoStateError
		lf = types.LocalizedMethodFault{Fault: fault, LocalizedMessage: faultMessage(fault)}
	} else {
		changes = append(changes, types.PropertyChange{Name: "info.progress", Val: int32(100)})
	}
	changes = append(changes,
		types.PropertyChange{Name: "info.completeTime", Val: time.Now()},
		types.PropertyChange{Name: "info.state", Val: state},
		types.PropertyChange{Name: "info.result", Val: res},
		types.PropertyChange{Name: "info.error", Val: lf},
	)
	updateObj(ft.task, changes...)
}

func faultMessage(f types.BaseMethodFault) string {
	switch f.(type) {
	case *types.RequestCanceled:
		return "The task was canceled by a user."
	}
	if mf := f.GetMethodFault(); mf != nil && len(mf.FaultMessage) > 0 && mf.FaultMessage[0].Message != "" {
		return mf.FaultMessage[0].Message
	}
	return fmt.Sprintf("%T", f)
}

type workFunc func() (types.AnyType, types.BaseMethodFault)

// run does the work of a front task: at once without -task-delay, else in
// the background after the delay, publishing progress 0, 25, 50, 75 and
// giving up with RequestCanceled when CancelTask was called meanwhile.
func (e *extensions) run(ft *frontTask, work workFunc) {
	delay := time.Duration(e.opts.taskDelay) * time.Millisecond
	if delay <= 0 {
		ft.finish(work())
		return
	}
	go func() {
		step := delay / 4
		for p := int32(25); p <= 100; p += 25 {
			select {
			case <-ft.canceled:
				ft.finish(nil, &types.RequestCanceled{})
				return
			case <-time.After(step):
			}
			if p < 100 {
				ft.progress(p)
			}
		}
		if ft.isCanceled() {
			ft.finish(nil, &types.RequestCanceled{})
			return
		}
		ft.finish(work())
	}()
}

// startTask answers the call with a new front task running work.
func (e *extensions) startTask(c *call, entity types.ManagedObjectReference, cancelable bool, work workFunc) {
	ft := e.newFrontTask(entity, c.name, cancelable)
	e.run(ft, work)
	writeTaskResponse(c, ft.ref())
}

func writeTaskResponse(c *call, ref types.ManagedObjectReference) {
	data := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<soapenv:Body><%sResponse xmlns="urn:vim25"><returnval type="Task">%s</returnval></%sResponse></soapenv:Body></soapenv:Envelope>`,
		c.name, ref.Value, c.name)
	c.w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	c.w.WriteHeader(200)
	_, _ = c.w.Write([]byte(data))
}

// taskBody decodes any "<X_TaskResponse><returnval>task-N</returnval>" answer.
type taskBody struct {
	Res *struct {
		Returnval types.ManagedObjectReference `xml:"returnval"`
	} `xml:",any"`
	Fault_ *soap.Fault `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *taskBody) Fault() *soap.Fault { return b.Fault_ }

// forwardTask runs a *_Task request through the simulator (synchronous there)
// and returns the outcome of the task it created, which is then hidden from
// TaskManager.recentTask (the front task stands for it).
func (e *extensions) forwardTask(from *call, body []byte) (types.AnyType, types.BaseMethodFault) {
	rec := e.x.forwardAsService(body)
	var res taskBody
	if err := decodeResponse(rec.Body.Bytes(), &res); err != nil {
		return nil, &types.SystemError{Reason: "esxsim: decoding simulator response: " + err.Error()}
	}
	if f := res.Fault(); f != nil {
		if mf, ok := f.Detail.Fault.(types.BaseMethodFault); ok {
			return nil, mf
		}
		return nil, &types.SystemError{Reason: f.String}
	}
	if res.Res == nil {
		return nil, &types.SystemError{Reason: "esxsim: no task in simulator response"}
	}
	inner, ok := simulator.Map.Get(res.Res.Returnval).(*simulator.Task)
	if !ok {
		return nil, nil
	}
	var info types.TaskInfo
	simulator.Map.WithLock(inner, func() { info = inner.Info })
	e.hideTask(inner.Self)
	if info.Error != nil {
		return nil, info.Error.Fault
	}
	return info.Result, nil
}

func (e *extensions) hideTask(ref types.ManagedObjectReference) {
	tm, ok := simulator.Map.Get(*simulator.Map.Get(serviceInstance).(*simulator.ServiceInstance).Content.TaskManager).(*simulator.TaskManager)
	if !ok {
		return
	}
	tm.Lock()
	defer tm.Unlock()
	recent := make([]types.ManagedObjectReference, 0, len(tm.RecentTask))
	for _, r := range tm.RecentTask {
		if r != ref {
			recent = append(recent, r)
		}
	}
	if len(recent) != len(tm.RecentTask) {
		simulator.Map.Update(tm, []types.PropertyChange{{Name: "recentTask", Val: recent}})
	}
}

// implements reports whether the registry object has the SOAP method.
func implements(obj mo.Reference, method string) bool {
	name := method
	if strings.HasSuffix(name, "_Task") {
		name = strings.TrimSuffix(name, "_Task") + "Task"
	}
	if name == "" {
		return false
	}
	name = strings.ToUpper(name[:1]) + name[1:]
	return reflect.ValueOf(obj).MethodByName(name).IsValid()
}

// delayedTask handles any *_Task method of the simulator when -task-delay is
// set. after, if not nil, runs once the simulator's work is done.
func (e *extensions) delayedTask(c *call, after func()) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	obj := simulator.Map.Get(m.This)
	if obj == nil || !implements(obj, c.name) {
		return false // the simulator answers ManagedObjectNotFound / MethodNotFound
	}
	if !c.requireSession() {
		return true
	}
	body := c.body
	e.startTask(c, m.This, !e.nonCancelable[c.name], func() (types.AnyType, types.BaseMethodFault) {
		res, fault := e.forwardTask(c, body)
		if after != nil {
			after()
		}
		return res, fault
	})
	return true
}

// cancelTask implements Task.CancelTask: front tasks that are cancelable and
// still running end in state error with RequestCanceled; a completed or
// already canceled task answers InvalidState, a non-cancelable one
// NotSupported (as documented for vim.Task.cancel).
func (e *extensions) cancelTask(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	if !c.requireSession() {
		return true
	}
	ft := e.tasks.get(m.This)
	if ft == nil {
		obj := simulator.Map.Get(m.This)
		if obj == nil {
			writeFault(c.w, "The object has already been deleted or has not been completely created", &types.ManagedObjectNotFound{Obj: m.This})
			return true
		}
		// Simulator tasks complete within their SOAP call.
		writeFault(c.w, "The task has already completed.", &types.InvalidState{})
		return true
	}
	ft.mu.Lock()
	var fault types.BaseMethodFault
	switch {
	case ft.done || ft.cancelRequested:
		fault = &types.InvalidState{}
	case !ft.cancelable:
		fault = &types.NotSupported{}
	default:
		ft.cancelRequested = true
		close(ft.canceled)
	}
	ft.mu.Unlock()
	if fault != nil {
		writeFault(c.w, "", fault)
		return true
	}
	updateObj(ft.task, types.PropertyChange{Name: "info.cancelRequested", Val: true})
	log.Printf("%s: cancel requested", m.This.Value)
	writeBody(c.w, &methods.CancelTaskBody{Res: &types.CancelTaskResponse{}})
	return true
}

// passTask lets the simulator run a *_Task method, then makes its task look
// like ESX's: info.name is the method ("PowerOnVM_Task", the simulator says
// "PowerOn"), info.entityName the entity's name (not its moref), and the
// reason the session's user (not "vcsim").
func (e *extensions) passTask(c *call) {
	rec := e.x.forward(c.r, c.body)
	var res taskBody
	if err := decodeResponse(rec.Body.Bytes(), &res); err == nil && res.Fault_ == nil && res.Res != nil {
		if task, ok := simulator.Map.Get(res.Res.Returnval).(*simulator.Task); ok {
			e.fixTaskInfo(task, c.name)
		}
	}
	copyRecorded(c.w, rec)
}

func (e *extensions) fixTaskInfo(task *simulator.Task, method string) {
	var entity *types.ManagedObjectReference
	simulator.Map.WithLock(task, func() { entity = task.Info.Entity })
	changes := []types.PropertyChange{
		{Name: "info.name", Val: method},
		{Name: "info.reason", Val: &types.TaskReasonUser{UserName: e.opts.username}},
	}
	if entity != nil {
		changes = append(changes, types.PropertyChange{Name: "info.entityName", Val: entityName(*entity)})
	}
	updateObj(task, changes...)
}
