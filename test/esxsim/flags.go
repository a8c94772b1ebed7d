package main

// Parsing of -fault and -method-delay.

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

type faultSpec struct {
	kind    reflect.Type
	message string
}

func (f faultSpec) new() types.BaseMethodFault {
	return reflect.New(f.kind).Interface().(types.BaseMethodFault)
}

// parseFaults parses "Method:FaultType[:message],Method2:FaultType2".
func parseFaults(s string) (map[string]faultSpec, error) {
	out := map[string]faultSpec{}
	for _, item := range splitList(s) {
		parts := strings.SplitN(item, ":", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("%q: want Method:FaultType", item)
		}
		kind, ok := vimTypeFunc(parts[1])
		if !ok || kind.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%q: unknown vim25 type %q", item, parts[1])
		}
		if _, ok := reflect.New(kind).Interface().(types.BaseMethodFault); !ok {
			return nil, fmt.Errorf("%q: %s is not a MethodFault", item, parts[1])
		}
		msg := "esxsim: injected " + parts[1] + " fault for " + parts[0]
		if len(parts) == 3 {
			msg = parts[2]
		}
		out[parts[0]] = faultSpec{kind: kind, message: msg}
	}
	return out, nil
}

// parseMethodDelays parses "Method:ms,Method2:ms".
func parseMethodDelays(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, item := range splitList(s) {
		parts := strings.SplitN(item, ":", 2)
		if len(parts) != 2 || parts[0] == "" {
			return nil, fmt.Errorf("%q: want Method:ms", item)
		}
		ms, err := strconv.Atoi(strings.TrimSpace(parts[1]))
		if err != nil || ms < 0 {
			return nil, fmt.Errorf("%q: bad delay", item)
		}
		out[parts[0]] = ms
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
