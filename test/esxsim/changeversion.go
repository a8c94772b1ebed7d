package main

// config.changeVersion: ESX changes it with every reconfiguration, so clients can cache a VM's
// configuration by it; the 0.24.2 simulator leaves it empty. esxsim sets one on every VM at start
// and a new one after each ReconfigVM_Task.

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var changeSeq int64

func nextChangeVersion() string {
	// ESX writes an xsd:dateTime; the sequence keeps two changes within one microsecond apart.
	n := atomic.AddInt64(&changeSeq, 1)
	return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") + "/" + strconv.FormatInt(n, 10)
}

func (e *extensions) bumpChangeVersion(ref types.ManagedObjectReference) {
	if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
		simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.changeVersion", Val: nextChangeVersion()}})
	}
}

func (e *extensions) installChangeVersions() {
	for _, obj := range simulator.Map.All("VirtualMachine") {
		e.bumpChangeVersion(obj.Reference())
	}
}
