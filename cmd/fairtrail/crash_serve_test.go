package main

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeKilledUnderWritesLeavesAModelThatCatchesUp kills `fairtrail serve` with SIGKILL while clients post
// events, three times over one data directory (each round posts the dataset up to its next third). After each
// kill, the read model the server kept opens, catches up and answers flags and audit exactly as a read model
// rebuilt from scratch in another directory.
func TestServeKilledUnderWritesLeavesAModelThatCatchesUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and posts events to it")
	}
	t.Parallel()
	tmp := t.TempDir()
	bin := fairtrailBinary(t)
	data := filepath.Join(tmp, "data")
	code, key, errOut := cli(t, "", "keys", "create", "--org", "ops", "--role", "admin", "--data", data)
	if code != 0 {
		t.Fatalf("keys create: %d %s", code, errOut)
	}
	key = strings.TrimSpace(key)
	dataset, err := os.ReadFile(generatedNDJSON(t, 300, 11))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSpace(dataset), []byte("\n"))
	for round, upTo := range []int{len(lines) / 3, 2 * len(lines) / 3, len(lines)} {
		logs := &serveLogs{addr: make(chan string, 1)}
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var base string
		select {
		case addr := <-logs.addr:
			base = "http://" + addr
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("serve did not listen\n%s", logs)
		}
		posted := postUntilKilled(t, base, key, lines[:upTo], 4, 100, cmd, 1500*time.Millisecond)
		cmd.Wait()
		t.Logf("round %d: killed after %d POSTs answered", round, posted)
		for _, args := range [][]string{{"flags", "--format", "json"}, {"audit", "--format", "json", "--by", "agency"}} {
			kept := runBin(t, bin, append(args, "--data", data)...)
			fresh := runBin(t, bin, append(args, "--data", data, "--cache", filepath.Join(tmp, "fresh", strconv.Itoa(round), args[0]))...)
			if !bytes.Equal(kept, fresh) || len(kept) < 100 {
				t.Fatalf("round %d: %v: the kept model answers %d bytes, a rebuilt one %d", round, args, len(kept), len(fresh))
			}
		}
	}
}

// runBin runs the binary with args and returns what it printed on stdout; the test fails if it fails.
// The output goes to a file, read back at its size: answers run to 20 MB (TestPinnedAnswers' flags listings), and
// a pipe read into a growing buffer copied each about twice under the race detector, which watches every byte
// this process copies (TestPinnedAnswers' own CPU: 5.1 s of samples through a pipe, 1.8 through a file).
func runBin(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr.String())
	}
	out, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// postUntilKilled posts lines as POST /v1/events arrays of batch events from clients goroutines (a stream's
// events on one client, in order) and kills the server after a while; it returns how many POSTs were answered.
func postUntilKilled(t *testing.T, base, key string, lines [][]byte, clients, batch int, server *exec.Cmd, after time.Duration) int {
	parts := make([][]json.RawMessage, clients)
	for _, l := range lines {
		h := fnv.New32a()
		h.Write([]byte(streamOfLine(t, l)))
		i := int(h.Sum32() % uint32(clients))
		parts[i] = append(parts[i], json.RawMessage(l))
	}
	var mu sync.Mutex
	answered := 0
	var wg sync.WaitGroup
	for _, part := range parts {
		wg.Go(func() {
			for len(part) > 0 {
				k := min(batch, len(part))
				body, _ := json.Marshal(part[:k])
				req, _ := http.NewRequest("POST", base+"/v1/events", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server was killed
				}
				resp.Body.Close()
				mu.Lock()
				answered++
				mu.Unlock()
				part = part[k:]
			}
		})
	}
	time.Sleep(after)
	server.Process.Signal(syscall.SIGKILL)
	wg.Wait()
	return answered
}
