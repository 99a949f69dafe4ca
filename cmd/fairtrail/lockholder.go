package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// serverFile, in a data directory, names the fairtrail serve that holds it, so that a command refused by the
// directory's lock can say which server to stop or to send events to.
const serverFile = "fairtrail-serve.json"

// serverNote is the content of serverFile.
type serverNote struct {
	PID       int       `json:"pid"`
	Addr      string    `json:"addr"`
	StartedAt time.Time `json:"started_at"`
}

// announceServer writes serverFile into the data directory of an embedded store and returns the function that
// removes it.
func announceServer(sf storeFlags, addr string) (func(), error) {
	if *sf.url != "" {
		return func() {}, nil
	}
	dir := *sf.data
	b, err := json.Marshal(serverNote{PID: os.Getpid(), Addr: addr, StartedAt: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, serverFile)
	if err := os.WriteFile(path, b, 0o640); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return func() { os.Remove(path) }, nil
}

// lockedError explains that dir is locked: by the fairtrail serve its serverFile names, which takes events
// by POST /v1/import, or by another command still running.
func lockedError(dir string, err error) error {
	b, rerr := os.ReadFile(filepath.Join(dir, serverFile))
	var n serverNote
	if rerr != nil || json.Unmarshal(b, &n) != nil || syscall.Kill(n.PID, 0) != nil { // none, or left by a server killed
		return fmt.Errorf("data directory %s is locked by another fairtrail command still running (an import, a copy "+
			"or a server): wait for it to end, or stop it: %w", dir, err)
	}
	return failedError{fmt.Sprintf("data directory %s is locked by fairtrail serve (pid %d, listening on %s since %s): "+
		"send the events to that server instead (POST /v1/import with an admin key, e.g. curl -H 'Authorization: Bearer KEY' "+
		"--data-binary @FILE http://%s/v1/import), or stop it first", dir, n.PID, n.Addr, when(n.StartedAt), n.Addr)}
}
