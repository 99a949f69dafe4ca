package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/fairtrail/fairtrail/eventstore"
)

// receiptWriter writes the receipts of stored events to path as NDJSON (nothing when path is empty). The
// close function flushes and syncs the file; calling it again does nothing.
func receiptWriter(s eventstore.Store, path string) (func(context.Context, []eventstore.AppendResult) error, func() error, error) {
	if path == "" {
		return nil, func() error { return nil }, nil
	}
	l, ok := s.(eventstore.Log)
	if !ok {
		return nil, nil, fmt.Errorf("--receipts: the store keeps no log")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("--receipts: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	write := func(ctx context.Context, results []eventstore.AppendResult) error {
		if err := eventstore.FillLeafIndexes(ctx, l, results); err != nil {
			return err
		}
		for _, res := range results {
			for _, a := range res.Events {
				r := receipt{EventID: a.ID.String(), Hash: a.Hash, LeafIndex: int64(a.LeafIndex), LeafHash: a.LeafHash}
				if err := enc.Encode(r); err != nil {
					return fmt.Errorf("--receipts: %w", err)
				}
			}
		}
		return nil
	}
	var once sync.Once
	var closeErr error
	closeFn := func() error {
		once.Do(func() { closeErr = errors.Join(w.Flush(), f.Sync(), f.Close()) })
		return closeErr
	}
	return write, closeFn, nil
}
