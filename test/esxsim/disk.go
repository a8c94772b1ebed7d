package main

// Virtual disk and screenshot tasks missing from the 0.24.2 simulator:
// VirtualDiskManager.ZeroFillVirtualDisk_Task, EagerZeroVirtualDisk_Task,
// InflateVirtualDisk_Task, ExtendVirtualDisk_Task (they check that the disk
// files exist and succeed; the simulator's disks are empty files, so there
// is nothing to fill or grow), and VirtualMachine.CreateScreenshot_Task
// (writes a small PNG beside the .vmx and returns its datastore path).
// The simulator already has Create/Copy/Move/DeleteVirtualDisk_Task.

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func (e *extensions) installDisk() {
	for _, m := range []string{"ZeroFillVirtualDisk_Task", "EagerZeroVirtualDisk_Task", "InflateVirtualDisk_Task", "ExtendVirtualDisk_Task"} {
		e.handle(m, e.diskTask)
	}
	e.handle("CreateScreenshot_Task", e.screenshot)
}

// datastoreFile maps "[ds] dir/file" to a local path.
func datastoreFile(p string) (string, *object.DatastorePath, types.BaseMethodFault) {
	var dp object.DatastorePath
	if !dp.FromString(p) || dp.Datastore == "" {
		return "", nil, &types.InvalidDatastorePath{DatastorePath: p}
	}
	for _, obj := range simulator.Map.All("Datastore") {
		ds, ok := obj.(*simulator.Datastore)
		if !ok {
			continue
		}
		var name, url string
		simulator.Map.WithLock(ds, func() { name, url = ds.Name, ds.Info.GetDatastoreInfo().Url })
		if name == dp.Datastore {
			return filepath.Join(url, filepath.FromSlash(dp.Path)), &dp, nil
		}
	}
	return "", nil, &types.InvalidDatastore{Name: dp.Datastore}
}

func diskName(body interface{}) (string, bool) {
	switch r := body.(type) {
	case *types.ZeroFillVirtualDisk_Task:
		return r.Name, true
	case *types.EagerZeroVirtualDisk_Task:
		return r.Name, true
	case *types.InflateVirtualDisk_Task:
		return r.Name, true
	case *types.ExtendVirtualDisk_Task:
		return r.Name, true
	}
	return "", false
}

func (e *extensions) diskTask(c *call) bool {
	m := c.decode()
	if m == nil {
		return false
	}
	name, ok := diskName(m.Body)
	if !ok || simulator.Map.Get(m.This) == nil {
		return false
	}
	if !c.requireSession() {
		return true
	}
	e.startTask(c, m.This, !e.nonCancelable[c.name], func() (types.AnyType, types.BaseMethodFault) {
		file, _, fault := datastoreFile(name)
		if fault != nil {
			return nil, fault
		}
		for _, f := range []string{strings.Replace(file, ".vmdk", "-flat.vmdk", 1), file} {
			if _, err := os.Stat(f); err != nil {
				return nil, &types.FileNotFound{FileFault: types.FileFault{File: name}}
			}
		}
		return nil, nil
	})
	return true
}

func (e *extensions) screenshot(c *call) bool {
	vm := c.vm()
	if vm == nil {
		return false
	}
	if !c.requireSession() {
		return true
	}
	e.startTask(c, vm.Self, !e.nonCancelable[c.name], func() (types.AnyType, types.BaseMethodFault) {
		var state types.VirtualMachinePowerState
		var vmx, name string
		simulator.Map.WithLock(vm, func() {
			state = vm.Runtime.PowerState
			name = vm.Name
			if vm.Config != nil && vm.Config.Files.VmPathName != "" {
				vmx = vm.Config.Files.VmPathName
			}
		})
		if state != types.VirtualMachinePowerStatePoweredOn {
			return nil, &types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOn, ExistingState: state}
		}
		file, dp, fault := datastoreFile(vmx)
		if fault != nil {
			return nil, fault
		}
		dir := filepath.Dir(file)
		var local, rel string
		for i := 1; ; i++ {
			base := fmt.Sprintf("%s-%d.png", name, i)
			local = filepath.Join(dir, base)
			rel = path.Join(path.Dir(dp.Path), base)
			if _, err := os.Stat(local); os.IsNotExist(err) {
				break
			}
		}
		if err := os.WriteFile(local, screenshotPNG(), 0o644); err != nil {
			return nil, &types.CannotCreateFile{FileFault: types.FileFault{File: rel}}
		}
		return fmt.Sprintf("[%s] %s", dp.Datastore, rel), nil
	})
	return true
}

// screenshotPNG draws a 640x480 "console": dark background, a light bar.
func screenshotPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			c := color.RGBA{0x10, 0x10, 0x20, 0xff}
			if y >= 16 && y < 32 && x >= 16 && x < 320 {
				c = color.RGBA{0xc0, 0xc0, 0xc0, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
