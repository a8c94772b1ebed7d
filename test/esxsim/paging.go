package main

// RetrievePropertiesEx paging. The 0.24.2 simulator ignores
// options.maxObjects and has no ContinueRetrievePropertiesEx /
// CancelRetrievePropertiesEx. esxsim lets the simulator collect everything,
// returns maxObjects objects plus a token, and keeps the rest for
// ContinueRetrievePropertiesEx. Tokens belong to the session (cookie) and
// collector that created them and expire after 10 idle minutes.

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const pageTTL = 10 * time.Minute

type page struct {
	session string
	pc      types.ManagedObjectReference
	max     int
	rest    []types.ObjectContent
	used    time.Time
}

type pageTable struct {
	mu    sync.Mutex
	pages map[string]*page
}

func sessionCookie(r *http.Request) string {
	if c, err := r.Cookie(soap.SessionCookieName); err == nil {
		return c.Value
	}
	return ""
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// take removes and returns the next page for token (nil if unknown).
func (t *pageTable) next(token, session string, pc types.ManagedObjectReference) (objs []types.ObjectContent, more string, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for k, p := range t.pages {
		if now.Sub(p.used) > pageTTL {
			delete(t.pages, k)
		}
	}
	p := t.pages[token]
	if p == nil || p.session != session || p.pc != pc {
		return nil, "", false
	}
	p.used = now
	n := p.max
	if n > len(p.rest) {
		n = len(p.rest)
	}
	objs, p.rest = p.rest[:n], p.rest[n:]
	if len(p.rest) == 0 {
		delete(t.pages, token)
		return objs, "", true
	}
	return objs, token, true
}

func (t *pageTable) put(p *page) string {
	token := newToken()
	t.mu.Lock()
	t.pages[token] = p
	t.mu.Unlock()
	return token
}

func (t *pageTable) drop(token, session string, pc types.ManagedObjectReference) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pages[token]
	if p == nil || p.session != session || p.pc != pc {
		return false
	}
	delete(t.pages, token)
	return true
}

func (e *extensions) retrievePropertiesEx(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	req, ok := m.Body.(*types.RetrievePropertiesEx)
	if !ok {
		return false
	}
	max := int(req.Options.MaxObjects)
	if max <= 0 {
		max = e.opts.pageSize
	}
	if max <= 0 {
		return false
	}
	rec := e.x.forward(c.r, c.body)
	var res methods.RetrievePropertiesExBody
	if err := decodeResponse(rec.Body.Bytes(), &res); err != nil || res.Fault_ != nil ||
		res.Res == nil || res.Res.Returnval == nil || len(res.Res.Returnval.Objects) <= max {
		copyRecorded(c.w, rec)
		return true
	}
	all := res.Res.Returnval.Objects
	token := e.pages.put(&page{
		session: sessionCookie(c.r),
		pc:      m.This,
		max:     max,
		rest:    append([]types.ObjectContent(nil), all[max:]...),
		used:    time.Now(),
	})
	res.Res.Returnval.Objects = all[:max]
	res.Res.Returnval.Token = token
	writeBody(c.w, &res)
	return true
}

func (e *extensions) continueRetrievePropertiesEx(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	req, ok := m.Body.(*types.ContinueRetrievePropertiesEx)
	if !ok {
		return false
	}
	if !c.requireSession() {
		return true
	}
	objs, more, ok := e.pages.next(req.Token, sessionCookie(c.r), m.This)
	if !ok {
		writeFault(c.w, "A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
		return true
	}
	writeBody(c.w, &methods.ContinueRetrievePropertiesExBody{
		Res: &types.ContinueRetrievePropertiesExResponse{
			Returnval: types.RetrieveResult{Token: more, Objects: objs},
		},
	})
	return true
}

func (e *extensions) cancelRetrievePropertiesEx(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	req, ok := m.Body.(*types.CancelRetrievePropertiesEx)
	if !ok {
		return false
	}
	if !c.requireSession() {
		return true
	}
	if !e.pages.drop(req.Token, sessionCookie(c.r), m.This) {
		writeFault(c.w, "A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
		return true
	}
	writeBody(c.w, &methods.CancelRetrievePropertiesExBody{Res: &types.CancelRetrievePropertiesExResponse{}})
	return true
}

// copyRecorded replays a recorded simulator response.
func copyRecorded(w http.ResponseWriter, rec interface {
	Result() *http.Response
}) {
	res := rec.Result()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	buf := make([]byte, 32*1024)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 {
			_, _ = w.Write(buf[:n])
		}
		if err != nil {
			break
		}
	}
}
