package embedded

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkGroupCommitSync prints what the tree's file would add to a group commit's durability: writing one
// bulk-import batch (2,000 events: about 660 KB of log, 128 KB of tree hashes) and fdatasyncing the log alone
// (what a commit does), both files concurrently (what a commit did when the tree was synced per commit, and
// what the commit that leaves treeSyncEvery leaves unsynced does), or one after the other.
func BenchmarkGroupCommitSync(b *testing.B) {
	logBuf, treeBuf := make([]byte, 660_000), make([]byte, 128_000)
	for _, mode := range []string{"log only", "log and tree concurrently", "log then tree"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			logf, err := os.Create(filepath.Join(dir, logName))
			if err != nil {
				b.Fatal(err)
			}
			defer logf.Close()
			tree, err := os.Create(filepath.Join(dir, hashesName))
			if err != nil {
				b.Fatal(err)
			}
			defer tree.Close()
			var offLog, offTree int64
			for b.Loop() {
				if _, err := logf.WriteAt(logBuf, offLog); err != nil {
					b.Fatal(err)
				}
				offLog += int64(len(logBuf))
				if mode != "log only" {
					if _, err := tree.WriteAt(treeBuf, offTree); err != nil {
						b.Fatal(err)
					}
					offTree += int64(len(treeBuf))
				}
				if err := syncBoth(logf, tree, mode); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func syncBoth(logf, tree *os.File, mode string) error {
	switch mode {
	case "log only":
		return syncFile(logf)
	case "log then tree":
		if err := syncFile(logf); err != nil {
			return err
		}
		return syncFile(tree)
	}
	done := make(chan error, 1)
	go func() { done <- syncFile(tree) }()
	err := syncFile(logf)
	if terr := <-done; err == nil {
		err = terr
	}
	return err
}
