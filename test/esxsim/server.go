package main

// HTTP(S) front end. simulator.Service.NewServer is not used because it offers
// no way to put a handler in front of /sdk; instead this file registers the
// same endpoints NewServer does on the Service's mux and serves that mux,
// wrapped by the interceptor, on its own listener with its own certificate.

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type serverConfig struct {
	listen          string
	useTLS          bool
	certOut, keyOut string
	certIn, keyIn   string
	login           *url.Userinfo
	trace           bool
	intercept       *interceptor
}

type server struct {
	url  *url.URL
	http *http.Server
}

func startServer(model *simulator.Model, cfg serverConfig) (*server, error) {
	svc := model.Service
	svc.RegisterSDK(simulator.Map) // creates svc.ServeMux and serves /sdk
	mux := svc.ServeMux
	mux.HandleFunc(simulator.Map.Path+"/vimServiceVersions.xml", svc.ServiceVersions)
	mux.HandleFunc("/folder/", svc.ServeDatastore)
	mux.HandleFunc("/guestFile/", simulator.ServeGuest)
	mux.HandleFunc("/nfc/", simulator.ServeNFC)
	mux.HandleFunc("/about", svc.About)

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	ip := addr.IP.String()
	if addr.IP.IsUnspecified() {
		ip = "127.0.0.1"
	}
	u := &url.URL{
		Scheme: "http",
		Host:   net.JoinHostPort(ip, strconv.Itoa(addr.Port)),
		Path:   simulator.Map.Path,
	}
	if cfg.useTLS {
		u.Scheme = "https"
	}

	// What NewServer does besides listening.
	sm := simulator.Map.SessionManager()
	sm.ServiceHostName = u.Host
	om := simulator.Map.OptionManager()
	for i := range om.Setting {
		setting := om.Setting[i].GetOptionValue()
		if s, ok := setting.Value.(string); ok && len(setting.Key) > 4 && setting.Key[len(setting.Key)-4:] == ".uri" {
			if endpoint, perr := url.Parse(s); perr == nil {
				endpoint.Scheme = u.Scheme
				endpoint.Host = u.Host
				setting.Value = endpoint.String()
			}
		}
	}
	om.Setting = append(om.Setting, &types.OptionValue{Key: "vcsim.server.url", Value: u.String()})

	listen := *u
	listen.User = cfg.login // SessionManager.validLogin checks Service.Listen.User
	svc.Listen = &listen

	ic := cfg.intercept
	ic.inner = mux
	hs := &http.Server{
		Handler:           ic,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(os.Stderr, "esxsim http: ", log.LstdFlags),
	}

	if cfg.useTLS {
		cert, err := loadOrCreateCert(cfg, ip)
		if err != nil {
			_ = ln.Close()
			return nil, err
		}
		hs.TLSConfig = &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequestClientCert, // SessionManager.LoginExtensionByCertificate
			MinVersion:   tls.VersionTLS12,
		}
		svc.TLS = hs.TLSConfig
		sm.TLSCert = func() string {
			return base64.StdEncoding.EncodeToString(cert.Certificate[0])
		}
		ln = tls.NewListener(ln, hs.TLSConfig)
	}

	go func() {
		if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Printf("serve: %s", err)
		}
	}()

	return &server{url: u, http: hs}, nil
}

func (s *server) close() {
	if err := s.http.Close(); err != nil {
		log.Printf("close: %s", err)
	}
}

func loadOrCreateCert(cfg serverConfig, ip string) (tls.Certificate, error) {
	var certPEM, keyPEM []byte
	if cfg.certIn != "" || cfg.keyIn != "" {
		var err error
		if certPEM, err = os.ReadFile(cfg.certIn); err != nil {
			return tls.Certificate{}, fmt.Errorf("-cert: %w", err)
		}
		if keyPEM, err = os.ReadFile(cfg.keyIn); err != nil {
			return tls.Certificate{}, fmt.Errorf("-key: %w", err)
		}
	} else {
		var err error
		if certPEM, keyPEM, err = selfSignedCert(ip); err != nil {
			return tls.Certificate{}, err
		}
	}
	if cfg.certOut != "" {
		if err := writeFileAtomic(cfg.certOut, certPEM, 0o644); err != nil {
			return tls.Certificate{}, fmt.Errorf("-cert-out: %w", err)
		}
	}
	if cfg.keyOut != "" {
		if err := writeFileAtomic(cfg.keyOut, keyPEM, 0o600); err != nil {
			return tls.Certificate{}, fmt.Errorf("-key-out: %w", err)
		}
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
