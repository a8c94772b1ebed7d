package main

// Standard vSwitch networking. The 0.24.2 simulator's HostNetworkSystem keeps
// a separate, sparse networkInfo (portgroup *names* in vswitch.portgroup, no
// keys, no pnics), never updates host.config.network, ignores the vSwitch
// spec and lacks UpdatePortGroup / UpdateVirtualSwitch. esxsim owns these
// methods: one HostNetworkInfo, in ESX's format, is published both as
// networkSystem.networkInfo and host.config.network (immutable snapshots,
// replaced on every change). Port groups have Network entities, as on ESX
// ("HaNetwork-<name>" on the ESX model).

import (
	"crypto/sha1"
	"fmt"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	vswitchKeyPrefix = "key-vim.host.VirtualSwitch-"
	pgKeyPrefix      = "key-vim.host.PortGroup-"
	pnicKeyPrefix    = "key-vim.host.PhysicalNic-"
)

var networkSeq int64 = 10000

func (e *extensions) installNetwork() {
	for _, h := range simulator.Map.All("HostSystem") {
		host, ok := h.(*simulator.HostSystem)
		if !ok || host.ConfigManager.NetworkSystem == nil || host.Config == nil || host.Config.Network == nil {
			continue
		}
		ns, ok := simulator.Map.Get(*host.ConfigManager.NetworkSystem).(*simulator.HostNetworkSystem)
		if !ok {
			continue
		}
		info := cloneNetworkInfo(host.Config.Network)
		info.Pnic = hostPnics(host.Self)
		publishNetwork(ns, host, info)
	}
	e.handle("AddVirtualSwitch", e.networkOp(addVirtualSwitch))
	e.handle("RemoveVirtualSwitch", e.networkOp(removeVirtualSwitch))
	e.handle("UpdateVirtualSwitch", e.networkOp(updateVirtualSwitch))
	e.handle("AddPortGroup", e.networkOp(addPortGroup))
	e.handle("RemovePortGroup", e.networkOp(removePortGroup))
	e.handle("UpdatePortGroup", e.networkOp(updatePortGroup))
}

// hostPnics returns vmnic0 and vmnic1, 10 Gbit/s full duplex, with MACs
// unique per host.
func hostPnics(host types.ManagedObjectReference) []types.PhysicalNic {
	sum := sha1.Sum([]byte(host.Value))
	var out []types.PhysicalNic
	for i := 0; i < 2; i++ {
		mac := fmt.Sprintf("00:0c:29:%02x:%02x:%02x", sum[0], sum[1], sum[2]+byte(i))
		link := types.PhysicalNicLinkInfo{SpeedMb: 10000, Duplex: true}
		dev := fmt.Sprintf("vmnic%d", i)
		out = append(out, types.PhysicalNic{
			Key:                    pnicKeyPrefix + dev,
			Device:                 dev,
			Pci:                    fmt.Sprintf("0000:%02x:00.0", 0x0b+8*i),
			Driver:                 "nvmxnet3",
			LinkSpeed:              &link,
			ValidLinkSpecification: []types.PhysicalNicLinkInfo{link},
			Spec:                   types.PhysicalNicSpec{Ip: &types.HostIpConfig{}, LinkSpeed: &link},
			Mac:                    mac,
			WakeOnLanSupported:     false,
			AutoNegotiateSupported: types.NewBool(true),
		})
	}
	return out
}

func cloneNetworkInfo(in *types.HostNetworkInfo) *types.HostNetworkInfo {
	out := *in
	out.Vswitch = append([]types.HostVirtualSwitch(nil), in.Vswitch...)
	for i := range out.Vswitch {
		out.Vswitch[i].Portgroup = append([]string(nil), out.Vswitch[i].Portgroup...)
		out.Vswitch[i].Pnic = append([]string(nil), out.Vswitch[i].Pnic...)
	}
	out.Portgroup = append([]types.HostPortGroup(nil), in.Portgroup...)
	out.Pnic = append([]types.PhysicalNic(nil), in.Pnic...)
	return &out
}

// publishNetwork must be called with ns locked (or before serving).
func publishNetwork(ns *simulator.HostNetworkSystem, host *simulator.HostSystem, info *types.HostNetworkInfo) {
	simulator.Map.Update(ns, []types.PropertyChange{{Name: "networkInfo", Val: info}})
	simulator.Map.WithLock(host, func() {
		simulator.Map.Update(host, []types.PropertyChange{{Name: "config.network", Val: info}})
	})
}

type netOp func(e *extensions, n *netCtx, req interface{}) types.BaseMethodFault

type netCtx struct {
	ns   *simulator.HostNetworkSystem
	host *simulator.HostSystem
	info *types.HostNetworkInfo // working copy
}

func (e *extensions) networkOp(op netOp) handler {
	return func(c *call) bool {
		m := c.decode()
		if m == nil {
			return false
		}
		ns, ok := simulator.Map.Get(m.This).(*simulator.HostNetworkSystem)
		if !ok || ns.Host == nil {
			return false
		}
		host, ok := simulator.Map.Get(ns.Host.Self).(*simulator.HostSystem)
		if !ok {
			return false
		}
		if !c.requireSession() {
			return true
		}
		var fault types.BaseMethodFault
		simulator.Map.WithLock(ns, func() {
			n := &netCtx{ns: ns, host: host, info: cloneNetworkInfo(ns.NetworkInfo)}
			if fault = op(e, n, m.Body); fault == nil {
				publishNetwork(ns, host, n.info)
			}
		})
		if fault != nil {
			writeFault(c.w, "", fault)
			return true
		}
		writeBody(c.w, emptyResponse(c.name))
		return true
	}
}

func emptyResponse(method string) soap.HasFault {
	switch method {
	case "AddVirtualSwitch":
		return &methods.AddVirtualSwitchBody{Res: &types.AddVirtualSwitchResponse{}}
	case "RemoveVirtualSwitch":
		return &methods.RemoveVirtualSwitchBody{Res: &types.RemoveVirtualSwitchResponse{}}
	case "UpdateVirtualSwitch":
		return &methods.UpdateVirtualSwitchBody{Res: &types.UpdateVirtualSwitchResponse{}}
	case "AddPortGroup":
		return &methods.AddPortGroupBody{Res: &types.AddPortGroupResponse{}}
	case "RemovePortGroup":
		return &methods.RemovePortGroupBody{Res: &types.RemovePortGroupResponse{}}
	case "UpdatePortGroup":
		return &methods.UpdatePortGroupBody{Res: &types.UpdatePortGroupResponse{}}
	}
	panic("no empty response for " + method)
}

func (n *netCtx) vswitch(name string) *types.HostVirtualSwitch {
	for i := range n.info.Vswitch {
		if n.info.Vswitch[i].Name == name {
			return &n.info.Vswitch[i]
		}
	}
	return nil
}

func (n *netCtx) portgroup(name string) *types.HostPortGroup {
	for i := range n.info.Portgroup {
		if n.info.Portgroup[i].Spec.Name == name {
			return &n.info.Portgroup[i]
		}
	}
	return nil
}

// applyVswitchSpec validates spec and sets it on vs.
func (n *netCtx) applyVswitchSpec(vs *types.HostVirtualSwitch, spec types.HostVirtualSwitchSpec) types.BaseMethodFault {
	if spec.NumPorts < 0 || spec.NumPorts > 4096 {
		return &types.InvalidArgument{InvalidProperty: "spec.numPorts"}
	}
	if spec.Mtu != 0 && (spec.Mtu < 1280 || spec.Mtu > 9000) {
		return &types.InvalidArgument{InvalidProperty: "spec.mtu"}
	}
	var pnics []string
	if b, ok := spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
		for _, dev := range b.NicDevice {
			found := false
			for _, p := range n.info.Pnic {
				if p.Device == dev {
					found = true
				}
			}
			if !found {
				return &types.NotFound{}
			}
			for _, other := range n.info.Vswitch {
				if other.Name == vs.Name {
					continue
				}
				for _, k := range other.Pnic {
					if k == pnicKeyPrefix+dev {
						return &types.ResourceInUse{Type: "PhysicalNic", Name: dev}
					}
				}
			}
			pnics = append(pnics, pnicKeyPrefix+dev)
		}
	}
	if spec.NumPorts == 0 {
		spec.NumPorts = 128
	}
	vs.Spec = spec
	vs.NumPorts = spec.NumPorts
	vs.NumPortsAvailable = spec.NumPorts
	vs.Mtu = spec.Mtu
	if vs.Mtu == 0 {
		vs.Mtu = 1500
	}
	vs.Pnic = pnics
	return nil
}

func addVirtualSwitch(e *extensions, n *netCtx, body interface{}) types.BaseMethodFault {
	req := body.(*types.AddVirtualSwitch)
	if req.VswitchName == "" || len(req.VswitchName) > 32 {
		return &types.InvalidArgument{InvalidProperty: "vswitchName"}
	}
	if n.vswitch(req.VswitchName) != nil {
		return &types.AlreadyExists{Name: req.VswitchName}
	}
	vs := types.HostVirtualSwitch{Name: req.VswitchName, Key: vswitchKeyPrefix + req.VswitchName}
	var spec types.HostVirtualSwitchSpec
	if req.Spec != nil {
		spec = *req.Spec
	}
	if f := n.applyVswitchSpec(&vs, spec); f != nil {
		return f
	}
	n.info.Vswitch = append(n.info.Vswitch, vs)
	return nil
}

func updateVirtualSwitch(e *extensions, n *netCtx, body interface{}) types.BaseMethodFault {
	req := body.(*types.UpdateVirtualSwitch)
	vs := n.vswitch(req.VswitchName)
	if vs == nil {
		return &types.NotFound{}
	}
	return n.applyVswitchSpec(vs, req.Spec)
}

// inUse reports whether VMs or VMkernel NICs use a port group.
func (n *netCtx) inUse(pg string) bool {
	for _, vnic := range n.info.Vnic {
		if vnic.Portgroup == pg {
			return true
		}
	}
	if net := n.network(pg); net != nil {
		return n.hasVMs(net)
	}
	return false
}

func (n *netCtx) hasVMs(net mo.Reference) bool {
	var vms int
	simulator.Map.WithLock(net, func() { vms = len(net.(*mo.Network).Vm) })
	return vms > 0
}

func removeVirtualSwitch(e *extensions, n *netCtx, body interface{}) types.BaseMethodFault {
	req := body.(*types.RemoveVirtualSwitch)
	vs := n.vswitch(req.VswitchName)
	if vs == nil {
		return &types.NotFound{}
	}
	var pgs []string
	for _, pg := range n.info.Portgroup {
		if pg.Spec.VswitchName == req.VswitchName {
			if n.inUse(pg.Spec.Name) {
				return &types.ResourceInUse{Type: "Network", Name: pg.Spec.Name}
			}
			pgs = append(pgs, pg.Spec.Name)
		}
	}
	for _, name := range pgs {
		if f := removePortGroup(e, n, &types.RemovePortGroup{PgName: name}); f != nil {
			return f
		}
	}
	kept := n.info.Vswitch[:0]
	for _, v := range n.info.Vswitch {
		if v.Name != req.VswitchName {
			kept = append(kept, v)
		}
	}
	n.info.Vswitch = kept
	return nil
}

func validPortgroupSpec(spec *types.HostPortGroupSpec) types.BaseMethodFault {
	if spec.Name == "" || len(spec.Name) > 59 {
		return &types.InvalidArgument{InvalidProperty: "portgrp.name"}
	}
	if spec.VlanId < 0 || spec.VlanId > 4095 {
		return &types.InvalidArgument{InvalidProperty: "portgrp.vlanId"}
	}
	return nil
}

// computedPolicy overlays the port group's policy on its vSwitch's.
func computedPolicy(vs *types.HostVirtualSwitch, pg types.HostNetworkPolicy) types.HostNetworkPolicy {
	var out types.HostNetworkPolicy
	if vs.Spec.Policy != nil {
		out = *vs.Spec.Policy
	}
	if pg.Security != nil {
		out.Security = pg.Security
	}
	if pg.NicTeaming != nil {
		out.NicTeaming = pg.NicTeaming
	}
	if pg.OffloadPolicy != nil {
		out.OffloadPolicy = pg.OffloadPolicy
	}
	if pg.ShapingPolicy != nil {
		out.ShapingPolicy = pg.ShapingPolicy
	}
	return out
}

func addPortGroup(e *extensions, n *netCtx, body interface{}) types.BaseMethodFault {
	req := body.(*types.AddPortGroup)
	spec := req.Portgrp
	if f := validPortgroupSpec(&spec); f != nil {
		return f
	}
	if n.portgroup(spec.Name) != nil {
		return &types.AlreadyExists{Name: spec.Name}
	}
	vs := n.vswitch(spec.VswitchName)
	if vs == nil {
		return &types.NotFound{}
	}
	vs.Portgroup = append(vs.Portgroup, pgKeyPrefix+spec.Name)
	n.info.Portgroup = append(n.info.Portgroup, types.HostPortGroup{
		Key:            pgKeyPrefix + spec.Name,
		Vswitch:        vs.Key,
		ComputedPolicy: computedPolicy(vs, spec.Policy),
		Spec:           spec,
	})
	n.addNetwork(spec.Name)
	return nil
}

func removePortGroup(e *extensions, n *netCtx, body interface{}) types.BaseMethodFault {
	req := body.(*types.RemovePortGroup)
	pg := n.portgroup(req.PgName)
	if pg == nil {
		return &types.NotFound{}
	}
	if n.inUse(req.PgName) {
		return &types.ResourceInUse{Type: "Network", Name: req.PgName}
	}
	if vs := n.vswitch(pg.Spec.VswitchName); vs != nil {
		vs.Portgroup = removeString(vs.Portgroup, pgKeyPrefix+req.PgName)
	}
	kept := n.info.Portgroup[:0]
	for _, p := range n.info.Portgroup {
		if p.Spec.Name != req.PgName {
			kept = append(kept, p)
		}
	}
	n.info.Portgroup = kept
	n.removeNetwork(req.PgName)
	return nil
}

func updatePortGroup(e *extensions, n *netCtx, body interface{}) types.BaseMethodFault {
	req := body.(*types.UpdatePortGroup)
	pg := n.portgroup(req.PgName)
	if pg == nil {
		return &types.NotFound{}
	}
	spec := req.Portgrp
	if spec.Name == "" {
		spec.Name = req.PgName
	}
	if spec.VswitchName == "" {
		spec.VswitchName = pg.Spec.VswitchName
	}
	if f := validPortgroupSpec(&spec); f != nil {
		return f
	}
	if spec.Name != req.PgName && n.portgroup(spec.Name) != nil {
		return &types.AlreadyExists{Name: spec.Name}
	}
	vs := n.vswitch(spec.VswitchName)
	if vs == nil {
		return &types.NotFound{}
	}
	if old := n.vswitch(pg.Spec.VswitchName); old != nil {
		old.Portgroup = removeString(old.Portgroup, pgKeyPrefix+req.PgName)
	}
	vs = n.vswitch(spec.VswitchName)
	vs.Portgroup = append(vs.Portgroup, pgKeyPrefix+spec.Name)
	pg.Key = pgKeyPrefix + spec.Name
	pg.Vswitch = vs.Key
	pg.Spec = spec
	pg.ComputedPolicy = computedPolicy(vs, spec.Policy)
	if spec.Name != req.PgName {
		for i := range n.info.Vnic {
			if n.info.Vnic[i].Portgroup == req.PgName {
				n.info.Vnic[i].Portgroup = spec.Name
			}
		}
		if net := n.network(req.PgName); net != nil && simulator.Map.IsESX() && !n.hasVMs(net) {
			// ESX names networks after port groups ("HaNetwork-<name>").
			n.removeNetwork(req.PgName)
			n.addNetwork(spec.Name)
		} else if net != nil {
			updateObj(net,
				types.PropertyChange{Name: "name", Val: spec.Name},
				types.PropertyChange{Name: "summary", Val: &types.NetworkSummary{Network: &net.(*mo.Network).Self, Name: spec.Name, Accessible: true}},
			)
		}
	}
	return nil
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// network finds the Network entity of a port group among the host's networks.
func (n *netCtx) network(name string) mo.Reference {
	var refs []types.ManagedObjectReference
	simulator.Map.WithLock(n.host, func() { refs = append(refs, n.host.Network...) })
	for _, ref := range refs {
		if ref.Type != "Network" {
			continue
		}
		obj, ok := simulator.Map.Get(ref).(*mo.Network)
		if !ok {
			continue
		}
		var nm string
		simulator.Map.WithLock(obj, func() { nm = obj.Name })
		if nm == name {
			return obj
		}
	}
	return nil
}

func (n *netCtx) datacenter() *simulator.Datacenter {
	var parent *types.ManagedObjectReference
	simulator.Map.WithLock(n.host, func() { parent = n.host.Parent })
	for parent != nil {
		obj := simulator.Map.Get(*parent)
		if dc, ok := obj.(*simulator.Datacenter); ok {
			return dc
		}
		e, ok := obj.(mo.Entity)
		if !ok {
			return nil
		}
		parent = e.Entity().Parent
	}
	return nil
}

// addNetwork creates (or, on vCenter, joins) the Network entity of a new port group.
func (n *netCtx) addNetwork(name string) {
	dc := n.datacenter()
	if dc == nil {
		return
	}
	folder, ok := simulator.Map.Get(dc.NetworkFolder).(*simulator.Folder)
	if !ok {
		return
	}
	var existing *mo.Network
	if obj := simulator.Map.FindByName(name, folder.ChildEntity); obj != nil {
		existing, _ = obj.(*mo.Network)
	}
	if existing != nil {
		editRefs(existing, "host", func() []types.ManagedObjectReference { return existing.Host }, addRef(n.host.Self))
	} else {
		net := &mo.Network{}
		net.Name = name
		net.Self = types.ManagedObjectReference{Type: "Network", Value: fmt.Sprintf("network-%d", atomic.AddInt64(&networkSeq, 1))}
		if simulator.Map.IsESX() {
			net.Self.Value = "HaNetwork-" + name
		}
		net.Host = []types.ManagedObjectReference{n.host.Self}
		net.Summary = &types.NetworkSummary{Network: &net.Self, Name: name, Accessible: true}
		simulator.Map.WithLock(folder, func() {
			// ChildEntity first: ContainerViews check it when the object is Put.
			simulator.Map.Update(folder, []types.PropertyChange{{Name: "childEntity", Val: append(append([]types.ManagedObjectReference(nil), folder.ChildEntity...), net.Self)}})
			simulator.Map.PutEntity(folder, net)
		})
		editRefs(dc, "network", func() []types.ManagedObjectReference { return dc.Network }, addRef(net.Self))
		existing = net
	}
	editRefs(n.host, "network", func() []types.ManagedObjectReference { return n.host.Network }, addRef(existing.Self))
}

func (n *netCtx) removeNetwork(name string) {
	obj := n.network(name)
	if obj == nil {
		return
	}
	net := obj.(*mo.Network)
	ref := net.Self
	editRefs(n.host, "network", func() []types.ManagedObjectReference { return n.host.Network }, dropRef(ref))
	editRefs(net, "host", func() []types.ManagedObjectReference { return net.Host }, dropRef(n.host.Self))
	var others int
	simulator.Map.WithLock(net, func() { others = len(net.Host) })
	if others > 0 {
		return
	}
	dc := n.datacenter()
	simulator.Map.Remove(ref)
	if dc == nil {
		return
	}
	if folder, ok := simulator.Map.Get(dc.NetworkFolder).(*simulator.Folder); ok {
		editRefs(folder, "childEntity", func() []types.ManagedObjectReference { return folder.ChildEntity }, dropRef(ref))
	}
	editRefs(dc, "network", func() []types.ManagedObjectReference { return dc.Network }, dropRef(ref))
}

// editRefs replaces a reference list property through Map.Update (so that
// WaitForUpdates sees it), under the object's lock.
func editRefs(obj mo.Reference, prop string, get func() []types.ManagedObjectReference, edit func([]types.ManagedObjectReference) []types.ManagedObjectReference) {
	simulator.Map.WithLock(obj, func() {
		cur := append([]types.ManagedObjectReference(nil), get()...)
		simulator.Map.Update(obj, []types.PropertyChange{{Name: prop, Val: edit(cur)}})
	})
}

func addRef(ref types.ManagedObjectReference) func([]types.ManagedObjectReference) []types.ManagedObjectReference {
	return func(list []types.ManagedObjectReference) []types.ManagedObjectReference {
		if simulator.FindReference(list, ref) == nil {
			list = append(list, ref)
		}
		return list
	}
}

func dropRef(ref types.ManagedObjectReference) func([]types.ManagedObjectReference) []types.ManagedObjectReference {
	return func(list []types.ManagedObjectReference) []types.ManagedObjectReference {
		simulator.RemoveReference(&list, ref)
		return list
	}
}
