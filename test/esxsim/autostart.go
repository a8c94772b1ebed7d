package main

// HostAutoStartManager, absent from the 0.24.2 simulator (the ESX template's
// configManager.autoStartManager points at "ha-autostart-mgr", which does not
// exist). esxsim registers one per host ("ha-autostart-mgr" for the ESX
// model's host, "autostart-<host>" on vCenter) with config and
// ReconfigureAutostart. Methods are found by reflection, like the
// simulator's own objects.

import (
	"sort"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type autoStartManager struct {
	mo.HostAutoStartManager

	host types.ManagedObjectReference
}

func (e *extensions) installAutoStart() {
	for _, h := range simulator.Map.All("HostSystem") {
		host, ok := h.(*simulator.HostSystem)
		if !ok {
			continue
		}
		ref := types.ManagedObjectReference{Type: "HostAutoStartManager", Value: "autostart-" + host.Self.Value}
		if simulator.Map.IsESX() {
			ref.Value = "ha-autostart-mgr"
		}
		m := &autoStartManager{host: host.Self}
		m.Self = ref
		m.Config = types.HostAutoStartManagerConfig{
			Defaults: &types.AutoStartDefaults{
				Enabled:          types.NewBool(false),
				StartDelay:       120,
				StopDelay:        120,
				WaitForHeartbeat: types.NewBool(false),
				StopAction:       "PowerOff",
			},
		}
		simulator.Map.Put(m)
		simulator.Map.WithLock(host, func() {
			cm := host.ConfigManager
			cm.AutoStartManager = &ref
			simulator.Map.Update(host, []types.PropertyChange{{Name: "configManager", Val: cm}})
		})
	}
}

var (
	startActions = map[string]bool{"none": true, "systemDefault": true, "powerOn": true}
	stopActions  = map[string]bool{"none": true, "systemDefault": true, "powerOff": true, "guestShutdown": true, "suspend": true}
	heartbeats   = map[string]bool{"yes": true, "no": true, "systemDefault": true}
)

// ReconfigureAutostart merges spec into the configuration: set defaults
// fields replace the current ones (0 delays and empty strings count as unset),
// powerInfo entries replace those with the same VM; an entry with
// startOrder -1 and startAction "none" removes the VM. The list is kept sorted
// by startOrder (-1 last).
func (m *autoStartManager) ReconfigureAutostart(ctx *simulator.Context, req *types.ReconfigureAutostart) soap.HasFault {
	body := &methods.ReconfigureAutostartBody{}
	invalid := func(prop string) soap.HasFault {
		body.Fault_ = simulator.Fault("A specified parameter was not correct: "+prop, &types.InvalidArgument{InvalidProperty: prop})
		return body
	}

	cfg := types.HostAutoStartManagerConfig{}
	if m.Config.Defaults != nil {
		d := *m.Config.Defaults
		cfg.Defaults = &d
	}
	cfg.PowerInfo = append(cfg.PowerInfo, m.Config.PowerInfo...)

	if d := req.Spec.Defaults; d != nil {
		if cfg.Defaults == nil {
			cfg.Defaults = &types.AutoStartDefaults{}
		}
		if d.Enabled != nil {
			cfg.Defaults.Enabled = d.Enabled
		}
		if d.StartDelay != 0 {
			cfg.Defaults.StartDelay = d.StartDelay
		}
		if d.StopDelay != 0 {
			cfg.Defaults.StopDelay = d.StopDelay
		}
		if d.WaitForHeartbeat != nil {
			cfg.Defaults.WaitForHeartbeat = d.WaitForHeartbeat
		}
		if d.StopAction != "" {
			cfg.Defaults.StopAction = d.StopAction
		}
	}

	host, _ := simulator.Map.Get(m.host).(*simulator.HostSystem)
	for _, pi := range req.Spec.PowerInfo {
		if pi.Key.Type != "VirtualMachine" {
			return invalid("powerInfo.key")
		}
		vm, ok := simulator.Map.Get(pi.Key).(*simulator.VirtualMachine)
		if !ok {
			body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: pi.Key})
			return body
		}
		onHost := false
		simulator.Map.WithLock(vm, func() { onHost = vm.Runtime.Host != nil && *vm.Runtime.Host == m.host })
		if host != nil && !onHost {
			return invalid("powerInfo.key")
		}
		if pi.StartAction != "" && !startActions[pi.StartAction] {
			return invalid("powerInfo.startAction")
		}
		if pi.StopAction != "" && !stopActions[pi.StopAction] {
			return invalid("powerInfo.stopAction")
		}
		if pi.WaitForHeartbeat != "" && !heartbeats[string(pi.WaitForHeartbeat)] {
			return invalid("powerInfo.waitForHeartbeat")
		}
		kept := cfg.PowerInfo[:0]
		for _, old := range cfg.PowerInfo {
			if old.Key != pi.Key {
				kept = append(kept, old)
			}
		}
		cfg.PowerInfo = kept
		if pi.StartOrder == -1 && (pi.StartAction == "none" || pi.StartAction == "") {
			continue
		}
		cfg.PowerInfo = append(cfg.PowerInfo, pi)
	}
	sort.SliceStable(cfg.PowerInfo, func(i, j int) bool {
		a, b := cfg.PowerInfo[i].StartOrder, cfg.PowerInfo[j].StartOrder
		if a == -1 || b == -1 {
			return b == -1 && a != -1
		}
		return a < b
	})

	simulator.Map.Update(m, []types.PropertyChange{{Name: "config", Val: cfg}})
	body.Res = &types.ReconfigureAutostartResponse{}
	return body
}
