package main

// VMware Tools state and guest power operations.
//
// The 0.24.2 simulator's VMs always report toolsNotInstalled /
// guestToolsNotRunning, ShutdownGuest ignores Tools, and RebootGuest /
// StandbyGuest do not exist. esxsim:
//   - with -tools=running (default) reports Tools as installed, current and
//     running while a VM is powered on (not running when off/suspended);
//     extraConfig "esxsim.tools" = "notRunning" | "notInstalled" overrides
//     it per VM (applied at the next power state change or reconfigure);
//     -tools=simulator keeps the simulator's behaviour;
//   - ShutdownGuest / RebootGuest / StandbyGuest answer InvalidPowerState
//     when the VM is not powered on and ToolsUnavailable when Tools are not
//     running. ShutdownGuest and StandbyGuest return at once; the VM powers
//     off / suspends after -task-delay (immediately without it), as on ESX
//     where the guest takes a while. RebootGuest keeps the VM on, with Tools
//     not running for -task-delay, and a new bootTime.

import (
	"log"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// toolsWatcher is a Registry handler: it sees every property update and
// fixes up the guest's Tools state when a VM's power state changes. It runs
// inside Map.Update, i.e. with the VM already locked by the caller.
type toolsWatcher struct {
	e    *extensions
	self types.ManagedObjectReference
}

func (w *toolsWatcher) Reference() types.ManagedObjectReference   { return w.self }
func (w *toolsWatcher) PutObject(mo.Reference)                    {}
func (w *toolsWatcher) RemoveObject(types.ManagedObjectReference) {}

func (w *toolsWatcher) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	ref := obj.Reference()
	if ref.Type != "VirtualMachine" {
		return
	}
	for _, ch := range changes {
		if ch.Name == "runtime.powerState" || ch.Name == "config.extraConfig" {
			if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
				simulator.Map.Update(vm, toolsChanges(vm, false))
			}
			return
		}
	}
}

// toolsChanges computes the guest Tools properties for the VM's state
// (VM locked by the caller). rebooting forces "not running".
func toolsChanges(vm *simulator.VirtualMachine, rebooting bool) []types.PropertyChange {
	mode := extraConfig(vm)["esxsim.tools"]
	on := vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
	status := types.VirtualMachineToolsStatusToolsOk
	running := string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
	version := "12352"
	versionStatus := string(types.VirtualMachineToolsVersionStatusGuestToolsCurrent)
	guestState := "notRunning"
	switch {
	case mode == "notInstalled":
		status = types.VirtualMachineToolsStatusToolsNotInstalled
		version = "0"
		versionStatus = string(types.VirtualMachineToolsVersionStatusGuestToolsNotInstalled)
	case on && !rebooting && mode != "notRunning":
		running = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
		guestState = "running"
	case on:
		status = types.VirtualMachineToolsStatusToolsNotRunning
		if rebooting {
			guestState = "resetting"
		}
	default:
		status = types.VirtualMachineToolsStatusToolsNotRunning
	}
	if !on && mode != "notInstalled" {
		status = types.VirtualMachineToolsStatusToolsNotRunning
	}
	return []types.PropertyChange{
		{Name: "guest.toolsStatus", Val: status},
		{Name: "guest.toolsRunningStatus", Val: running},
		{Name: "guest.toolsVersion", Val: version},
		{Name: "guest.toolsVersionStatus", Val: versionStatus},
		{Name: "guest.toolsVersionStatus2", Val: versionStatus},
		{Name: "guest.guestState", Val: guestState},
		{Name: "summary.guest.toolsStatus", Val: status},
		{Name: "summary.guest.toolsRunningStatus", Val: running},
		{Name: "summary.guest.toolsVersionStatus", Val: versionStatus},
		{Name: "summary.guest.toolsVersionStatus2", Val: versionStatus},
	}
}

func (e *extensions) installGuest() {
	if e.opts.tools != "simulator" {
		for _, obj := range simulator.Map.All("VirtualMachine") {
			if vm, ok := obj.(*simulator.VirtualMachine); ok {
				simulator.Map.WithLock(vm, func() { simulator.Map.Update(vm, toolsChanges(vm, false)) })
			}
		}
		simulator.Map.AddHandler(&toolsWatcher{e: e, self: types.ManagedObjectReference{Type: "EsxsimToolsWatcher", Value: "esxsim-tools"}})
	}
	e.handle("ShutdownGuest", e.guestOp)
	e.handle("RebootGuest", e.guestOp)
	e.handle("StandbyGuest", e.guestOp)
}

func (e *extensions) guestOp(c *call) bool {
	vm := c.vm()
	if vm == nil {
		return false
	}
	if !c.requireSession() {
		return true
	}
	var fault types.BaseMethodFault
	simulator.Map.WithLock(vm, func() {
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			fault = &types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOn, ExistingState: vm.Runtime.PowerState}
			return
		}
		if vm.Guest == nil || vm.Guest.ToolsRunningStatus != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
			fault = &types.ToolsUnavailable{}
		}
	})
	if fault != nil {
		msg := ""
		if _, ok := fault.(*types.ToolsUnavailable); ok {
			msg = "Cannot complete operation because VMware Tools is not running in this virtual machine."
		}
		writeFault(c.w, msg, fault)
		return true
	}
	delay := time.Duration(e.opts.taskDelay) * time.Millisecond
	later := func(f func()) {
		if delay <= 0 {
			f()
			return
		}
		go func() { time.Sleep(delay); f() }()
	}

	var res soap.HasFault
	switch c.name {
	case "ShutdownGuest":
		res = &methods.ShutdownGuestBody{Res: &types.ShutdownGuestResponse{}}
		from, body := c.r, c.body
		later(func() {
			// The simulator's ShutdownGuest powers off and posts the events.
			e.x.forward(from, body)
		})
	case "RebootGuest":
		res = &methods.RebootGuestBody{Res: &types.RebootGuestResponse{}}
		if delay > 0 {
			simulator.Map.WithLock(vm, func() { simulator.Map.Update(vm, toolsChanges(vm, true)) })
		}
		later(func() {
			now := time.Now()
			simulator.Map.WithLock(vm, func() {
				if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
					return
				}
				changes := []types.PropertyChange{
					{Name: "runtime.bootTime", Val: &now},
					{Name: "summary.runtime.bootTime", Val: &now},
				}
				simulator.Map.Update(vm, append(changes, toolsChanges(vm, false)...))
			})
			log.Printf("%s: guest rebooted", vm.Self.Value)
		})
	case "StandbyGuest":
		res = &methods.StandbyGuestBody{Res: &types.StandbyGuestResponse{}}
		later(func() {
			simulator.Map.WithLock(vm, func() {
				if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
					return
				}
				simulator.Map.Update(vm, []types.PropertyChange{
					{Name: "runtime.powerState", Val: types.VirtualMachinePowerStateSuspended},
					{Name: "summary.runtime.powerState", Val: types.VirtualMachinePowerStateSuspended},
				})
			})
		})
	default:
		return false
	}
	writeBody(c.w, res)
	return true
}
