package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serveChild is `fairtrail serve` run by bench as a new process on a loopback address, with an admin key.
type serveChild struct {
	cmd     *exec.Cmd
	logs    *serveLogTail
	started time.Time
	client  apiClient
	exited  chan error
}

// startServe creates an admin key in dir and starts `fairtrail serve` with the store's flags storeArgs (such
// as --data DIR) on a free loopback port; it returns once the server listens. With a profile directory (not
// "", made if missing) the server writes its profiles and execution trace there (serveProfiles), and its log,
// the access log with each request's own duration and the runtime's collections (GODEBUG=gctrace=1) among it,
// to serve.log.
func startServe(ctx context.Context, dir string, storeArgs []string, profile string) (*serveChild, error) {
	keyFile := filepath.Join(dir, "keys.json")
	create, err := selfCommand(ctx, nil, "keys", "create", "--org", benchRecordedBy, "--role", "admin", "--keys", keyFile)
	if err != nil {
		return nil, err
	}
	key, err := create.Output()
	if err != nil {
		return nil, fmt.Errorf("bench: create the server's key: %w", err)
	}
	s := &serveChild{logs: &serveLogTail{addr: make(chan string, 1)}, exited: make(chan error, 1)}
	if s.cmd, err = selfCommand(ctx, append([]string{"TMPDIR=" + dir}, serveProfiles(profile)...), append([]string{"serve",
		"--addr", "127.0.0.1:0", "--keys", keyFile, "--log-format", "json"}, storeArgs...)...); err != nil {
		return nil, err
	}
	s.cmd.Stderr = s.logs
	var logFile *os.File
	if profile != "" {
		if err := os.MkdirAll(profile, 0o755); err != nil {
			return nil, fmt.Errorf("bench: the profile directory: %w", err)
		}
		if logFile, err = os.Create(filepath.Join(profile, "serve.log")); err != nil {
			return nil, fmt.Errorf("bench: the server's log: %w", err)
		}
		s.cmd.Stderr = io.MultiWriter(s.logs, logFile)
	}
	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		if logFile != nil {
			logFile.Close()
		}
		return nil, fmt.Errorf("bench: start serve: %w", err)
	}
	go func() {
		err := s.cmd.Wait() // the log copied whole
		if logFile != nil {
			err = errors.Join(err, logFile.Close())
		}
		s.exited <- err
	}()
	select {
	case addr := <-s.logs.addr:
		s.client = apiClient{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchWriters},
			Timeout: 5 * time.Minute}, base: "http://" + addr, key: strings.TrimSpace(string(key))}
		return s, nil
	case err := <-s.exited:
		return nil, fmt.Errorf("bench: serve exited before it listened: %v\n%s", err, s.logs)
	case <-time.After(5 * time.Minute):
		s.kill()
		return nil, fmt.Errorf("bench: serve did not listen within 5 minutes\n%s", s.logs)
	}
}

// readyAfter polls /readyz until it answers 200 and returns the time since the process started.
func (s *serveChild) readyAfter(ctx context.Context) (time.Duration, error) {
	for {
		if _, err := s.client.get(ctx, "/readyz"); err == nil {
			return time.Since(s.started), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case err := <-s.exited:
			return 0, fmt.Errorf("bench: serve exited before it was ready: %v\n%s", err, s.logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// caughtUp polls /readyz until the read model's position is the store's head, for up to 10 minutes.
func (s *serveChild) caughtUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeoutCause(ctx, 10*time.Minute,
		errors.New("bench: the server's read model did not catch up with the store within 10 minutes"))
	defer cancel()
	for {
		body, err := s.client.get(ctx, "/readyz")
		var h struct{ Position, Head string }
		if err == nil && json.Unmarshal(body, &h) == nil && h.Position == h.Head {
			return nil
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// noteRebuilds says on w whether the server rebuilt its read model, and why: a server over a model that the
// import (or an earlier server) built should only catch it up, and a rebuild would be what a figure measures.
func (s *serveChild) noteRebuilds(w io.Writer, what string) {
	for _, reason := range s.logs.rebuilds() {
		fmt.Fprintf(w, "bench: WARNING: %s rebuilt the read model (%s)\n", what, reason)
	}
}

// peakRSS is the server's peak RSS so far (VmHWM).
func (s *serveChild) peakRSS() int64 {
	return procFieldKB(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid), "VmHWM") << 10
}

// stop asks the server to shut down (SIGTERM) and waits for it; it is killed after a minute.
func (s *serveChild) stop() error {
	s.client.http.CloseIdleConnections()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("bench: stop serve: %w", err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			return fmt.Errorf("bench: serve: %w\n%s", err, s.logs)
		}
		return nil
	case <-time.After(time.Minute):
		s.kill()
		return errors.New("bench: serve did not stop within a minute of SIGTERM")
	}
}

// finish ends the server when a phase that started it returns (deferred, with the phase's named error): killed
// at once after the phase's error, else its peak RSS kept in *rss and the server stopped, a failure to stop
// becoming the phase's error.
func (s *serveChild) finish(err *error, rss *int64) {
	if *err != nil {
		s.kill()
		return
	}
	*rss = s.peakRSS()
	*err = s.stop()
}

// kill ends the server at once, after a failure.
func (s *serveChild) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// tailBuffer keeps the last bytes written to it (for the error of a failed child), at most about tailKeep.
type tailBuffer struct {
	mu   sync.Mutex
	tail []byte
}

// tailKeep is about how many bytes of a child's standard error a tailBuffer keeps.
const tailKeep = 16 << 10

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tail = append(t.tail, b...)
	if n := len(t.tail); n > 2*tailKeep {
		t.tail = append(t.tail[:0], t.tail[n-tailKeep:]...)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.tail)
}

// serveLogTail keeps the last lines a server logged, sends the address of its "listening" line on addr and
// notes the reasons of the read model's rebuilds it logged.
type serveLogTail struct {
	tailBuffer
	addr  chan string
	found bool // only Write's: writes to a child's standard error come from one goroutine

	mu      sync.Mutex
	reasons []string
}

// rebuildMsg is the message the read model logs when it starts a rebuild.
const rebuildMsg = "rebuilding the read model"

func (l *serveLogTail) Write(b []byte) (int, error) {
	if !l.found || bytes.Contains(b, []byte(rebuildMsg)) {
		var line struct{ Msg, Addr, Reason string }
		for raw := range bytes.Lines(b) {
			if json.Unmarshal(raw, &line) != nil {
				continue
			}
			if line.Msg == "listening" && line.Addr != "" && !l.found {
				l.found = true
				l.addr <- line.Addr
			}
			if line.Msg == rebuildMsg {
				l.mu.Lock()
				l.reasons = append(l.reasons, line.Reason)
				l.mu.Unlock()
			}
		}
	}
	return l.tailBuffer.Write(b)
}

// rebuilds returns the reasons of the rebuilds the server logged so far.
func (l *serveLogTail) rebuilds() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reasons)
}

var _ io.Writer = (*serveLogTail)(nil)
