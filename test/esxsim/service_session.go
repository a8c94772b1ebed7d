package main

// The simulator runs a *_Task synchronously with the caller's session, but a delayed front task
// finishes later: on real ESX a task outlives the session that started it. Delayed work is
// therefore forwarded with esxsim's own service session, logged in (again) whenever the
// simulator does not accept it, e.g. after a test terminated every other session.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type serviceSession struct {
	mu       sync.Mutex
	cookie   *http.Cookie
	user     string
	password string

	keyMu sync.Mutex
	key   string // the session key (the cookie's value), read by hideServiceSession
}

func (s *serviceSession) setCookie(c *http.Cookie) {
	s.cookie = c
	s.keyMu.Lock()
	s.key = ""
	if c != nil {
		s.key = c.Value
	}
	s.keyMu.Unlock()
}

func (s *serviceSession) currentKey() string {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	return s.key
}

// post runs a SOAP body through the simulator with the given cookie (nil = none).
func (x *interceptor) post(body []byte, cookie *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, simulator.Map.Path, bytes.NewReader(body))
	req = req.WithContext(context.Background())
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	x.inner.ServeHTTP(rec, req)
	return rec
}

func (x *interceptor) serviceLogin() *http.Cookie {
	s := &x.service
	content := simulator.Map.Get(serviceInstance).(*simulator.ServiceInstance).Content
	login := &methods.LoginBody{Req: &types.Login{This: *content.SessionManager, UserName: s.user, Password: s.password}}
	rec := x.post(encodeRequest(login), nil)
	for _, c := range rec.Result().Cookies() {
		if c.Name == soap.SessionCookieName {
			return c
		}
	}
	return nil
}

// forwardAsService forwards body with the service session, logging in when needed.
func (x *interceptor) forwardAsService(body []byte) *httptest.ResponseRecorder {
	s := &x.service
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		if s.cookie == nil {
			s.setCookie(x.serviceLogin())
		}
		rec := x.post(body, s.cookie)
		if attempt == 0 && bytes.Contains(rec.Body.Bytes(), []byte("NotAuthenticated")) {
			s.setCookie(nil)
			continue
		}
		return rec
	}
	return x.post(body, s.cookie)
}

// hideServiceSession leaves the service session out of SessionManager.sessionList: on ESX a task
// runs in the host agent, not in a user session, so the sessions a client sees (and counts, as
// the reliability tests do) are only the ones clients logged in. Declines every other request.
func (e *extensions) hideServiceSession(c *call) bool {
	key := e.x.service.currentKey()
	if key == "" || !bytes.Contains(c.body, []byte("SessionManager")) {
		return false
	}
	m := c.decode()
	if m == nil {
		return false
	}
	if _, ok := m.Body.(*types.RetrievePropertiesEx); !ok {
		return false
	}
	rec := e.x.forward(c.r, c.body)
	var res methods.RetrievePropertiesExBody
	if err := decodeResponse(rec.Body.Bytes(), &res); err != nil || res.Fault_ != nil || res.Res == nil || res.Res.Returnval == nil {
		copyRecorded(c.w, rec)
		return true
	}
	for i := range res.Res.Returnval.Objects {
		props := res.Res.Returnval.Objects[i].PropSet
		for j := range props {
			if props[j].Name != "sessionList" {
				continue
			}
			list, ok := props[j].Val.(types.ArrayOfUserSession)
			if !ok {
				continue
			}
			kept := list.UserSession[:0]
			for _, u := range list.UserSession {
				if u.Key != key {
					kept = append(kept, u)
				}
			}
			list.UserSession = kept
			props[j].Val = list
		}
	}
	writeBody(c.w, &res)
	return true
}
