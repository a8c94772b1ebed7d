package main

// extensions holds the state of esxsim's additions to the simulator and the
// table of SOAP methods the interceptor hands to them.

import (
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type extensions struct {
	opts          *options
	x             *interceptor
	handlers      map[string]handler
	nonCancelable map[string]bool
	content       types.ServiceContent

	tasks taskTable

	mu        sync.Mutex // guards questions
	questions map[types.ManagedObjectReference]*pendingQuestion

	pages pageTable
}

func newExtensions(o *options) *extensions {
	e := &extensions{
		opts:          o,
		handlers:      map[string]handler{},
		nonCancelable: map[string]bool{},
		questions:     map[types.ManagedObjectReference]*pendingQuestion{},
	}
	e.tasks.tasks = map[types.ManagedObjectReference]*frontTask{}
	e.pages.pages = map[string]*page{}
	for _, m := range splitList(o.nonCancelable) {
		e.nonCancelable[m] = true
	}
	return e
}

// handle registers h for a SOAP method; handlers for the same method chain
// (the latest registered runs first and may decline by returning false).
func (e *extensions) handle(method string, h handler) {
	if prev := e.handlers[method]; prev != nil {
		e.handlers[method] = func(c *call) bool { return h(c) || prev(c) }
		return
	}
	e.handlers[method] = h
}

// install adds objects to the inventory and registers method handlers.
// It runs after Model.Create and before the server starts.
func (e *extensions) install() error {
	e.content = simulator.Map.Get(serviceInstance).(*simulator.ServiceInstance).Content

	// tasks.go
	e.handle("CancelTask", e.cancelTask)
	// question.go
	e.handle("PowerOnVM_Task", e.powerOnQuestion)
	e.handle("AnswerVM", e.answerVM)
	e.handle("ReconfigVM_Task", e.reconfigure)
	e.handle("PowerOffVM_Task", e.powerOffPending)
	e.handle("Destroy_Task", e.destroyVM)
	e.handle("UnregisterVM", e.destroyVM)
	// paging.go
	e.handle("RetrievePropertiesEx", e.retrievePropertiesEx)
	e.handle("ContinueRetrievePropertiesEx", e.continueRetrievePropertiesEx)
	e.handle("CancelRetrievePropertiesEx", e.cancelRetrievePropertiesEx)
	// service_session.go (runs before the paging handler; SessionManager reads never page)
	e.handle("RetrievePropertiesEx", e.hideServiceSession)
	// autostart.go, network.go, guest.go, disk.go
	e.installAutoStart()
	e.installNetwork()
	e.installGuest()
	e.installDisk()
	e.installDatastore()
	// changeversion.go
	e.installChangeVersions()
	return nil
}
