package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// serveLog is serve's part in holding the operator to the record: signing checkpoints while the log grows.
type serveLog struct {
	files logFiles
	// explicit is whether --log-key was given: then a missing key is an error, not a log without checkpoints.
	explicit bool
	every    time.Duration
	// witnessKeys are --witness-key's values; witnesses their cosignature verifiers, which POST
	// /v1/log/cosignatures then holds cosignatures to.
	witnessKeys []string
	witnesses   []note.Verifier
}

// logSigner loads the signing key and journal and wires them into the API's config, returning the signer to
// run, or nil when there is no key (the log routes then answer 404).
func (o serveLog) logSigner(store eventstore.Store, cfg *api.Config, logger *slog.Logger) (*checkpoint.Signer, error) {
	path := o.files.keyPath()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !o.explicit {
		logger.Warn("no log signing key: no checkpoints are signed (fairtrail log keygen --origin NAME makes one)", "path", path)
		return nil, nil
	}
	key, verifier, err := checkpoint.LoadKey(path)
	if err != nil {
		return nil, err
	}
	j, err := checkpoint.OpenJournal(o.files.journalPath())
	if err != nil {
		return nil, err
	}
	l, ok := store.(eventstore.Log)
	if !ok {
		return nil, fmt.Errorf("the store keeps no log to sign")
	}
	cfg.Checkpoints, cfg.LogVerifier, cfg.LogSigner, cfg.Witnesses = j, verifier, key, o.witnesses
	return &checkpoint.Signer{Log: l, Key: key, Journal: j, Logger: logger}, nil
}
