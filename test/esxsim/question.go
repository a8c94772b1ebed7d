package main

// VM questions (runtime.question + AnswerVM), which the 0.24.2 simulator
// lacks. A VM asks when its config.extraConfig holds "esxsim.question":
//
//   esxsim.question          question text (required; empty = no question)
//   esxsim.question.choices  "key:label,key:label" (default "0:Yes,1:No")
//   esxsim.question.default  key of the default choice (default: first)
//   esxsim.question.cancel   key of a choice that makes the blocked power-on
//                            fail with RequestCanceled (default: none)
//   esxsim.question.msgid    message id in question.message[0] (default
//                            "msg.esxsim.question")
//
// PowerOnVM_Task on such a VM returns a non-cancelable task that stays
// running, with runtime.question set, until AnswerVM; then the power-on runs.
// ReconfigVM_Task that leaves esxsim.question set on a powered-on VM raises
// the question at once (AnswerVM just clears it).

import (
	"fmt"
	"log"
	"strings"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

const questionKey = "esxsim.question"

var questionSeq int64

type pendingQuestion struct {
	info   types.VirtualMachineQuestionInfo
	task   *frontTask // blocked power-on, nil when raised on a running VM
	body   []byte     // the PowerOnVM_Task request
	cancel string     // choice key that fails the power-on
}

// extraConfig returns the VM's extraConfig as a map; later entries win (the
// simulator appends on reconfigure).
func extraConfig(vm *simulator.VirtualMachine) map[string]string {
	out := map[string]string{}
	if vm.Config == nil {
		return out
	}
	for _, ov := range vm.Config.ExtraConfig {
		o := ov.GetOptionValue()
		if s, ok := o.Value.(string); ok {
			out[o.Key] = s
		} else if o.Value != nil {
			out[o.Key] = fmt.Sprint(o.Value)
		} else {
			delete(out, o.Key)
		}
	}
	return out
}

// buildQuestion returns the question the extraConfig asks, if any.
func buildQuestion(ec map[string]string) (*pendingQuestion, bool) {
	text := ec[questionKey]
	if text == "" {
		return nil, false
	}
	choices := ec[questionKey+".choices"]
	if choices == "" {
		choices = "0:Yes,1:No"
	}
	var infos []types.BaseElementDescription
	var keys []string
	for i, item := range splitList(choices) {
		key, label := fmt.Sprint(i), item
		if parts := strings.SplitN(item, ":", 2); len(parts) == 2 {
			key, label = strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		}
		keys = append(keys, key)
		infos = append(infos, &types.ElementDescription{
			Description: types.Description{Label: label, Summary: label},
			Key:         key,
		})
	}
	def := int32(0)
	if d := ec[questionKey+".default"]; d != "" {
		for i, k := range keys {
			if k == d {
				def = int32(i)
			}
		}
	}
	msgID := ec[questionKey+".msgid"]
	if msgID == "" {
		msgID = "msg.esxsim.question"
	}
	id := fmt.Sprintf("_vmx%d", atomic.AddInt64(&questionSeq, 1))
	return &pendingQuestion{
		info: types.VirtualMachineQuestionInfo{
			Id:      id,
			Text:    text,
			Choice:  types.ChoiceOption{ChoiceInfo: infos, DefaultIndex: def},
			Message: []types.VirtualMachineMessage{{Id: msgID, Text: text}},
		},
		cancel: ec[questionKey+".cancel"],
	}, true
}

func (e *extensions) pending(vm types.ManagedObjectReference) *pendingQuestion {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.questions[vm]
}

// raise publishes q on the VM (caller holds no lock).
func (e *extensions) raise(vm *simulator.VirtualMachine, q *pendingQuestion) {
	e.mu.Lock()
	e.questions[vm.Self] = q
	e.mu.Unlock()
	info := q.info
	updateObj(vm,
		types.PropertyChange{Name: "runtime.question", Val: &info},
		types.PropertyChange{Name: "summary.runtime.question", Val: &info},
	)
	log.Printf("%s: question %s raised: %q", vm.Self.Value, info.Id, info.Text)
}

func (e *extensions) clearQuestion(vm *simulator.VirtualMachine) {
	e.mu.Lock()
	delete(e.questions, vm.Self)
	e.mu.Unlock()
	updateObj(vm,
		types.PropertyChange{Name: "runtime.question", Val: nil},
		types.PropertyChange{Name: "summary.runtime.question", Val: nil},
	)
}

// powerOnQuestion handles PowerOnVM_Task for VMs that ask a question.
func (e *extensions) powerOnQuestion(c *call) bool {
	vm := c.vm()
	if vm == nil {
		return false
	}
	var q *pendingQuestion
	var asks bool
	simulator.Map.WithLock(vm, func() {
		if vm.Config != nil && vm.Config.Template || vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			return // the simulator answers (InvalidState / InvalidPowerState)
		}
		q, asks = buildQuestion(extraConfig(vm))
	})
	if !asks {
		return false
	}
	if !c.requireSession() {
		return true
	}
	if p := e.pending(vm.Self); p != nil {
		if p.task != nil {
			writeFault(c.w, "Another task is already in progress.", &types.TaskInProgress{Task: p.task.ref()})
			return true
		}
		e.clearQuestion(vm) // stale question from a powered-on reconfigure
	}
	q.task = e.newFrontTask(vm.Self, c.name, false)
	q.body = c.body
	e.raise(vm, q)
	writeTaskResponse(c, q.task.ref())
	return true
}

// answerVM implements VirtualMachine.AnswerVM.
func (e *extensions) answerVM(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	req, ok := m.Body.(*types.AnswerVM)
	if !ok {
		return false
	}
	vm, ok := simulator.Map.Get(m.This).(*simulator.VirtualMachine)
	if !ok {
		return false // ManagedObjectNotFound from the simulator
	}
	if !c.requireSession() {
		return true
	}
	e.mu.Lock()
	q := e.questions[vm.Self]
	if q == nil || q.info.Id != req.QuestionId {
		e.mu.Unlock()
		// What ESX answers when the question is gone (already answered) or the id is wrong.
		writeFault(c.w, fmt.Sprintf("The question %q is not pending on this virtual machine.", req.QuestionId), &types.ConcurrentAccess{})
		return true
	}
	valid := false
	for _, ci := range q.info.Choice.ChoiceInfo {
		if ci.GetElementDescription().Key == req.AnswerChoice {
			valid = true
		}
	}
	if !valid {
		e.mu.Unlock()
		writeFault(c.w, fmt.Sprintf("A specified parameter was not correct: answerChoice %q", req.AnswerChoice), &types.InvalidArgument{InvalidProperty: "answerChoice"})
		return true
	}
	delete(e.questions, vm.Self) // claim it before unlocking: a concurrent answer gets ConcurrentAccess
	e.mu.Unlock()

	e.clearQuestion(vm)
	log.Printf("%s: question %s answered %q", vm.Self.Value, req.QuestionId, req.AnswerChoice)
	if q.task != nil {
		if q.cancel != "" && req.AnswerChoice == q.cancel {
			q.task.finish(nil, &types.RequestCanceled{})
		} else {
			q.task.finish(e.forwardTask(c, q.body))
		}
	}
	writeBody(c.w, &methods.AnswerVMBody{Res: &types.AnswerVMResponse{}})
	return true
}

// afterReconfigure tidies extraConfig (later keys replace earlier ones, empty
// values delete, as on ESX) and raises a question on a powered-on VM.
func (e *extensions) afterReconfigure(ref types.ManagedObjectReference) {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return
	}
	var q *pendingQuestion
	var asks, on bool
	simulator.Map.WithLock(vm, func() {
		if vm.Config == nil {
			return
		}
		normalizeExtraConfig(vm)
		if e.opts.tools != "simulator" {
			simulator.Map.Update(vm, toolsChanges(vm, false))
		}
		on = vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
		q, asks = buildQuestion(extraConfig(vm))
	})
	if asks && on && e.pending(ref) == nil {
		e.raise(vm, q)
	}
}

// normalizeExtraConfig must be called with the VM locked.
func normalizeExtraConfig(vm *simulator.VirtualMachine) {
	seen := map[string]int{}
	var out []types.BaseOptionValue
	changed := false
	for _, ov := range vm.Config.ExtraConfig {
		o := ov.GetOptionValue()
		if i, ok := seen[o.Key]; ok {
			out[i] = ov
			changed = true
			continue
		}
		seen[o.Key] = len(out)
		out = append(out, ov)
	}
	kept := out[:0]
	for _, ov := range out {
		o := ov.GetOptionValue()
		if s, ok := o.Value.(string); (ok && s == "") || o.Value == nil {
			changed = true
			continue
		}
		kept = append(kept, ov)
	}
	if changed {
		simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.extraConfig", Val: kept}})
	}
}

// reconfigure wraps ReconfigVM_Task with afterReconfigure.
func (e *extensions) reconfigure(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	ref := m.This
	after := func() {
		e.afterReconfigure(ref)
		e.bumpChangeVersion(ref)
	}
	if e.opts.taskDelay > 0 {
		return e.delayedTask(c, after)
	}
	e.passTask(c)
	after()
	return true
}

// powerOffPending: powering off a VM whose power-on waits on a question
// abandons the power-on (its task fails with RequestCanceled) and succeeds.
func (e *extensions) powerOffPending(c *call) bool {
	vm := c.vm()
	if vm == nil {
		return false
	}
	q := e.pending(vm.Self)
	if q == nil || q.task == nil {
		return false
	}
	if !c.requireSession() {
		return true
	}
	e.mu.Lock()
	if e.questions[vm.Self] != q {
		e.mu.Unlock()
		return false
	}
	delete(e.questions, vm.Self)
	e.mu.Unlock()
	e.clearQuestion(vm)
	q.task.finish(nil, &types.RequestCanceled{})
	e.startTask(c, vm.Self, false, func() (types.AnyType, types.BaseMethodFault) { return nil, nil })
	return true
}

// destroyVM drops the pending question of a VM that Destroy_Task or
// UnregisterVM removed; its blocked power-on fails with ManagedObjectNotFound.
func (e *extensions) destroyVM(c *call) bool {
	m := c.decode()
	if m == nil || m.This.Type != "VirtualMachine" || e.pending(m.This) == nil {
		return false
	}
	ref := m.This
	after := func() {
		if simulator.Map.Get(ref) != nil {
			return
		}
		e.mu.Lock()
		q := e.questions[ref]
		delete(e.questions, ref)
		e.mu.Unlock()
		if q != nil && q.task != nil {
			q.task.finish(nil, &types.ManagedObjectNotFound{Obj: ref})
		}
	}
	if c.name == "Destroy_Task" {
		if e.opts.taskDelay > 0 {
			return e.delayedTask(c, after)
		}
		e.passTask(c)
	} else {
		c.pass()
	}
	after()
	return true
}
