package main

// The interceptor sits in front of the simulator's /sdk handler. It applies
// -method-delay and -fault, and dispatches the methods esxsim implements or
// changes (see extensions.go) before the simulator sees them.

import (
	"bytes"
	"context"
	"io"
	"log"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type interceptor struct {
	inner       http.Handler
	ext         *extensions
	faults      map[string]faultSpec
	delay       int
	delayJitter float64
	methodDelay map[string]int
	trace       bool
	service     serviceSession
}

// call is one intercepted SOAP request.
type call struct {
	x      *interceptor
	w      http.ResponseWriter
	r      *http.Request
	body   []byte
	name   string
	method *simulator.Method // decoded lazily by decode()
}

// handler answers a call and returns true, or returns false to let the
// simulator handle it.
type handler func(c *call) bool

func (x *interceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == simulator.Map.Path+"/vimService" {
		r.URL.Path = simulator.Map.Path // the simulator serves both paths alike
	}
	if strings.HasPrefix(r.URL.Path, "/folder") && !x.folderAuthorized(r) {
		// ESX wants a session cookie or HTTP basic credentials; the simulator none.
		w.Header().Set("WWW-Authenticate", `Basic realm="VMware HTTP server"`)
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != simulator.Map.Path {
		x.inner.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	name := methodName(body)
	if x.trace {
		log.Printf("Request: %s", body)
		tw := &traceWriter{ResponseWriter: w}
		defer func() { log.Printf("Response (%s, %d): %s", name, tw.status, tw.buf.Bytes()) }()
		w = tw
	}

	x.sleep(name)

	if f, ok := x.faults[name]; ok {
		writeFault(w, f.message, f.new())
		return
	}

	c := &call{x: x, w: w, r: r, body: body, name: name}
	if h := x.ext.handlers[name]; h != nil {
		if h(c) {
			return
		}
	}
	if strings.HasSuffix(name, "_Task") {
		if x.ext.opts.taskDelay > 0 && x.ext.delayedTask(c, nil) {
			return
		}
		x.ext.passTask(c)
		return
	}
	c.pass()
}

func (x *interceptor) sleep(name string) {
	d := x.delay + x.methodDelay[name]
	if d > 0 && x.delayJitter > 0 {
		d += int(rand.NormFloat64() * x.delayJitter * float64(d))
	}
	if d > 0 {
		time.Sleep(time.Duration(d) * time.Millisecond)
	}
}

// decode returns the typed request, or nil (after answering a fault) when
// the body is not a valid vim25 request.
func (c *call) decode() *simulator.Method {
	if c.method == nil {
		m, err := simulator.UnmarshalBody(typeFunc, c.body)
		if err != nil {
			return nil
		}
		c.method = m
	}
	return c.method
}

// vm is the VirtualMachine a call acts on (its _this), or nil when the body does not decode or
// _this is not a VM: the handler then leaves the call to the simulator, which faults as ESX would.
func (c *call) vm() *simulator.VirtualMachine {
	m := c.decode()
	if m == nil {
		return nil
	}
	vm, _ := simulator.Map.Get(m.This).(*simulator.VirtualMachine)
	return vm
}

// pass hands the call, unchanged, to the simulator.
func (c *call) pass() {
	req := c.r.Clone(c.r.Context())
	req.Body = io.NopCloser(bytes.NewReader(c.body))
	req.ContentLength = int64(len(c.body))
	c.x.inner.ServeHTTP(c.w, req)
}

// forward runs a request body through the simulator with the caller's
// session cookie and returns the raw response.
func (x *interceptor) forward(from *http.Request, body []byte) *httptest.ResponseRecorder {
	req := from.Clone(context.Background())
	req.Method = http.MethodPost
	req.URL.Path = simulator.Map.Path
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	rec := httptest.NewRecorder()
	x.inner.ServeHTTP(rec, req)
	return rec
}

// invoke forwards a typed request (a methods.*Body with Req set) and decodes
// the answer into res (a methods.*Body of the same method).
func (x *interceptor) invoke(from *http.Request, req interface{}, res soap.HasFault) error {
	rec := x.forward(from, encodeRequest(req))
	return decodeResponse(rec.Body.Bytes(), res)
}

// authenticated reports whether the request carries a valid session: the
// simulator answers NotAuthenticated to CurrentTime without one.
func (x *interceptor) authenticated(r *http.Request) bool {
	res := &methods.CurrentTimeBody{}
	err := x.invoke(r, &methods.CurrentTimeBody{Req: &types.CurrentTime{This: serviceInstance}}, res)
	return err == nil && res.Fault_ == nil
}

// requireSession answers NotAuthenticated and returns false without a session.
func (c *call) requireSession() bool {
	if c.x.authenticated(c.r) {
		return true
	}
	m := c.decode()
	var this types.ManagedObjectReference
	if m != nil {
		this = m.This
	}
	writeFault(c.w, "", &types.NotAuthenticated{NoPermission: types.NoPermission{Object: this, PrivilegeId: "System.View"}})
	return false
}

var serviceInstance = types.ManagedObjectReference{Type: "ServiceInstance", Value: "ServiceInstance"}

type traceWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *traceWriter) WriteHeader(code int) {
	t.status = code
	t.ResponseWriter.WriteHeader(code)
}

func (t *traceWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.buf.Write(p)
	return t.ResponseWriter.Write(p)
}

// folderAuthorized accepts a valid session cookie or the configured
// user/password as HTTP basic credentials (any non-empty pair with -any-login).
func (x *interceptor) folderAuthorized(r *http.Request) bool {
	if user, pass, ok := r.BasicAuth(); ok {
		if x.ext.opts.anyLogin {
			return user != "" && pass != ""
		}
		return user == x.ext.opts.username && pass == x.ext.opts.password
	}
	return sessionCookie(r) != "" && x.authenticated(r)
}
