package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kurrentChild is the KurrentDB test double running as a child process (the command kurrentdouble, built once
// without -race), for tests that send it many events: the double's own work then costs no race-instrumented
// CPU, while fairtrail's client, in the test process or in the binary, talks to it over the same wire protocol.
// Tests that steer the double (drops, time-outs, a follower) start it in-process with kurrenttest.Start.
type kurrentChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
	url   string
}

// startKurrentChild starts the double with Options.SystemEvery set to systemEvery, and stops it when the test
// ends.
func startKurrentChild(t *testing.T, systemEvery int) *kurrentChild {
	t.Helper()
	cmd := exec.Command(doubleBinary(t), "-system-every", strconv.Itoa(systemEvery))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kurrentdouble: %v", err)
	}
	k := &kurrentChild{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	t.Cleanup(func() {
		if err := k.stop(); err != nil {
			t.Errorf("kurrentdouble: %v\n%s", err, stderr.String())
		}
	})
	line, err := k.line()
	if err != nil || !strings.HasPrefix(line, "esdb://") {
		t.Fatalf("kurrentdouble's connection string: %q, %v\n%s", line, err, stderr.String())
	}
	k.url = line
	return k
}

// URL is the double's connection string.
func (k *kurrentChild) URL() string { return k.url }

// Events is the number of events in the double's user streams.
func (k *kurrentChild) Events(t *testing.T) int {
	t.Helper()
	if _, err := io.WriteString(k.stdin, "events\n"); err != nil {
		t.Fatalf("ask kurrentdouble for its events: %v", err)
	}
	line, err := k.line()
	if err != nil {
		t.Fatalf("kurrentdouble's events: %v", err)
	}
	n, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("kurrentdouble's events: %q is not a count", line)
	}
	return n
}

// line reads the next line the double printed.
func (k *kurrentChild) line() (string, error) {
	if k.out.Scan() {
		return k.out.Text(), nil
	}
	if err := k.out.Err(); err != nil {
		return "", err
	}
	return "", io.ErrUnexpectedEOF
}

// stop ends the double's input, on which it stops serving and exits, and kills it if it has not exited within
// ten seconds.
func (k *kurrentChild) stop() error {
	k.stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- k.cmd.Wait() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(10 * time.Second):
		k.cmd.Process.Kill()
		return fmt.Errorf("did not exit within 10 s of its input's end: killed (%v)", <-exited)
	}
}
