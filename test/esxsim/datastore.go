package main

// RefreshDatastore: the 0.24.2 simulator's handler forgets its response
// (RefreshDatastoreBody.Res stays nil, so clients get an empty HTTP body).
// esxsim lets the simulator refresh the datastore's figures, then answers
// with the empty RefreshDatastoreResponse ESX sends.

import (
	"net/http"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

func (e *extensions) installDatastore() {
	e.handle("RefreshDatastore", e.refreshDatastore)
}

func (e *extensions) refreshDatastore(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	if _, ok := simulator.Map.Get(m.This).(*simulator.Datastore); !ok {
		return false
	}
	if !c.requireSession() {
		return true
	}
	// The simulator updates the figures (or faults, which it does answer properly).
	rec := c.x.forward(c.r, c.body)
	if rec.Code != http.StatusOK {
		c.w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
		c.w.WriteHeader(rec.Code)
		_, _ = c.w.Write(rec.Body.Bytes())
		return true
	}
	writeBody(c.w, &methods.RefreshDatastoreBody{Res: &types.RefreshDatastoreResponse{}})
	return true
}
