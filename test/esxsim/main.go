// Command esxsim is esxgate's vSphere simulator: govmomi's simulator library
// (the engine of vcsim) plus the extensions real ESX has and the 0.24.2
// simulator lacks. See README.md in this folder.
//
// stdout carries exactly one line, the SDK URL, once the server is ready.
// Everything else goes to stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

type options struct {
	esx            bool
	dc, cluster    int
	host, sHost    int
	ds, pg, pool   int
	vm, folder     int
	app, pod       int
	listen         string
	useTLS         bool
	certOut        string
	keyOut         string
	certIn, keyIn  string
	username       string
	password       string
	anyLogin       bool
	trace          bool
	delay          int
	delayJitter    float64
	methodDelay    string
	taskDelay      int
	nonCancelable  string
	faults         string
	pageSize       int
	sessionTimeout time.Duration
	stdinWatch     bool
	autostart      bool
	tools          string
}

func parseFlags() *options {
	o := &options{}
	f := flag.CommandLine
	f.BoolVar(&o.esx, "esx", false, "simulate a standalone ESX host (apiType HostAgent) instead of vCenter")
	f.IntVar(&o.dc, "dc", 1, "number of datacenters (vCenter)")
	f.IntVar(&o.cluster, "cluster", 1, "number of clusters per datacenter (vCenter)")
	f.IntVar(&o.host, "host", 3, "number of hosts per cluster (vCenter)")
	f.IntVar(&o.sHost, "standalone-host", 1, "number of standalone hosts per datacenter (vCenter)")
	f.IntVar(&o.ds, "ds", 1, "number of local datastores")
	f.IntVar(&o.pg, "pg", 1, "number of distributed port groups per datacenter (vCenter)")
	f.IntVar(&o.pool, "pool", 0, "number of extra resource pools per cluster (vCenter)")
	f.IntVar(&o.vm, "vm", 2, "number of VMs per resource pool (vCenter) or on the host (ESX)")
	f.IntVar(&o.folder, "folder", 0, "number of datacenters placed in a folder (vCenter)")
	f.IntVar(&o.app, "app", 0, "number of vApps per cluster (vCenter)")
	f.IntVar(&o.pod, "pod", 0, "number of storage pods per datacenter (vCenter)")
	f.StringVar(&o.listen, "l", "127.0.0.1:8989", "listen address host:port (port 0 picks a free one)")
	f.BoolVar(&o.useTLS, "tls", true, "serve https (a fresh self-signed certificate is generated)")
	f.StringVar(&o.certOut, "cert-out", "", "write the server TLS certificate (PEM) to this path")
	f.StringVar(&o.keyOut, "key-out", "", "write the server TLS private key (PEM) to this path")
	f.StringVar(&o.certIn, "cert", "", "use this TLS certificate (PEM) instead of generating one (needs -key)")
	f.StringVar(&o.keyIn, "key", "", "private key (PEM) for -cert")
	f.StringVar(&o.username, "username", "user", "the only user name that may log in")
	f.StringVar(&o.password, "password", "pass", "the only password that may log in")
	f.BoolVar(&o.anyLogin, "any-login", false, "accept any non-empty user/password (vcsim's default behaviour)")
	f.BoolVar(&o.trace, "trace", false, "write SOAP requests and responses to stderr")
	f.IntVar(&o.delay, "delay", 0, "delay in ms before every SOAP method")
	f.Float64Var(&o.delayJitter, "delay-jitter", 0, "jitter of the delays as coefficient of variation")
	f.StringVar(&o.methodDelay, "method-delay", "", "per-method delays in ms: \"Method:ms,Method2:ms\"")
	f.IntVar(&o.taskDelay, "task-delay", 0, "keep every *_Task running this many ms (progress 0,25,50,75) before it completes")
	f.StringVar(&o.nonCancelable, "non-cancelable", "PowerOnVM_Task", "comma separated *_Task methods whose delayed tasks are not cancelable")
	f.StringVar(&o.faults, "fault", "", "always answer these methods with a SOAP fault: \"Method:FaultType,...\"")
	f.IntVar(&o.pageSize, "page-size", 0, "RetrievePropertiesEx page size when the client sets no options.maxObjects (0 = unlimited)")
	f.DurationVar(&o.sessionTimeout, "session-timeout", 0, "idle session timeout, e.g. 30m (0 = never)")
	f.StringVar(&o.tools, "tools", "running", "VMware Tools of powered-on VMs: running, or simulator (always toolsNotInstalled, as vcsim)")
	f.BoolVar(&o.autostart, "autostart", true, "power on the VMs the model creates (as vcsim)")
	f.BoolVar(&o.stdinWatch, "stdin-watch", false, "exit (cleanly) when stdin reaches EOF, e.g. when the parent process dies")
	flag.Parse()
	return o
}

func main() {
	log.SetOutput(os.Stderr)
	log.SetPrefix("esxsim: ")
	log.SetFlags(log.Ltime | log.Lmicroseconds)

	o := parseFlags()

	faults, err := parseFaults(o.faults)
	if err != nil {
		fatalf("-fault: %s", err)
	}
	delays, err := parseMethodDelays(o.methodDelay)
	if err != nil {
		fatalf("-method-delay: %s", err)
	}

	var model *simulator.Model
	if o.esx {
		model = simulator.ESX()
	} else {
		model = simulator.VPX()
		model.Datacenter = o.dc
		model.Cluster = o.cluster
		model.ClusterHost = o.host
		model.Host = o.sHost
		model.Portgroup = o.pg
		model.Pool = o.pool
		model.Folder = o.folder
		model.App = o.app
		model.Pod = o.pod
	}
	model.Datastore = o.ds
	model.Autostart = o.autostart
	model.Machine = o.vm
	simulator.SessionIdleTimeout = o.sessionTimeout

	if err := model.Create(); err != nil {
		fatalf("creating model: %s", err)
	}

	ext := newExtensions(o)
	if err := ext.install(); err != nil {
		model.Remove()
		fatalf("installing extensions: %s", err)
	}

	login := url.UserPassword(o.username, o.password)
	if o.anyLogin {
		login = simulator.DefaultLogin
	}

	ic := &interceptor{
		ext:         ext,
		faults:      faults,
		delay:       o.delay,
		delayJitter: o.delayJitter,
		methodDelay: delays,
		trace:       o.trace,
	}
	ic.service.user, ic.service.password = o.username, o.password
	ext.x = ic

	srv, err := startServer(model, serverConfig{
		listen:    o.listen,
		useTLS:    o.useTLS,
		certOut:   o.certOut,
		keyOut:    o.keyOut,
		certIn:    o.certIn,
		keyIn:     o.keyIn,
		login:     login,
		trace:     o.trace,
		intercept: ic,
	})
	if err != nil {
		model.Remove()
		fatalf("starting server: %s", err)
	}

	// The one and only stdout line.
	fmt.Fprintln(os.Stdout, srv.url.String())
	_ = os.Stdout.Sync()

	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if o.stdinWatch {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			log.Printf("stdin closed")
			sig <- syscall.SIGTERM
		}()
	}
	s := <-sig
	log.Printf("received %s, shutting down", s)

	// Close can hang on an open WaitForUpdates: give it a short time only.
	done := make(chan struct{})
	go func() {
		srv.close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		log.Printf("server close timed out")
	case <-sig:
		log.Printf("second signal, exiting now")
	}
	model.Remove()
	os.Exit(0)
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "esxsim: "+format+"\n", args...)
	os.Exit(2)
}
