package checkpoint

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore"
)

// Signer signs the log's head into a journal whenever the tree has grown.
type Signer struct {
	Log     eventstore.Log
	Key     note.Signer
	Journal *Journal
	Now     func() time.Time
	Logger  *slog.Logger
}

// SignIfGrown signs the current head unless the journal already holds a checkpoint of that size (or the
// log is empty); it reports the checkpoint and whether it is new.
func (s Signer) SignIfGrown(ctx context.Context) (Checkpoint, []byte, bool, error) {
	n, err := s.Log.TreeSize(ctx)
	if err != nil {
		return Checkpoint{}, nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	if latest, ok, err := s.Journal.Latest(); err != nil || n == 0 || ok && latest.Size == n {
		return Checkpoint{Origin: s.Key.Name(), Size: latest.Size, Root: latest.Root}, []byte(latest.Note), false, err
	}
	c, signed, err := Sign(ctx, s.Log, s.Key)
	if err != nil {
		return c, nil, false, err
	}
	added, err := s.Journal.Add(c, signed, s.now())
	return c, signed, added, err
}

func (s Signer) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Run signs a checkpoint at once and then every interval while the tree grows, until ctx ends (returning
// nil). A failure to sign is logged and tried again at the next tick: the metrics show the checkpoint ageing.
func (s Signer) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if c, _, added, err := s.SignIfGrown(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.Logger.Error("signing a checkpoint failed", "err", err)
		} else if added {
			s.Logger.Info("checkpoint signed", "size", c.Size, "root", c.Root.String())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
