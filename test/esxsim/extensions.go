package main

// extensions holds the state of esxsim's additions to the simulator and the
// table of SOAP methods the interceptor hands to them.

type extensions struct {
	opts     *options
	handlers map[string]handler
}

func newExtensions(o *options) *extensions {
	return &extensions{opts: o, handlers: map[string]handler{}}
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
	return nil
}
