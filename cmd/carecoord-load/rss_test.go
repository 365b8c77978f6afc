package main

import (
	"net"
	"os"
	"testing"
)

// The server's memory is read from /proc: this process stands in for it,
// found by the port it listens on.
func TestMemory_OfTheProcessListeningOnAPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pid, err := listener(ln.Addr().(*net.TCPAddr).Port)
	if err != nil {
		t.Fatal(err)
	}
	if pid != os.Getpid() {
		t.Errorf("found pid %d listening, want this process %d", pid, os.Getpid())
	}
	peak, now, err := memory(pid)
	if err != nil {
		t.Fatal(err)
	}
	if now <= 0 || peak < now {
		t.Errorf("peak %d kB, now %d kB: the peak is at least the current", peak, now)
	}
	if _, err := listener(1); err == nil {
		t.Error("a process was found on port 1")
	}
}
