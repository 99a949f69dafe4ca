package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/projections"
)

// openRead opens the data directory for reading.
func openRead(dir string, env environment) (*embedded.Store, error) {
	s, err := embedded.Open(dir, embedded.Options{ReadOnly: true, Logger: env.logger()})
	if errors.Is(err, eventstore.ErrNotFound) {
		return nil, fmt.Errorf("no events in %s (run fairtrail import or fairtrail demo first)", dir)
	}
	return s, err
}

// replay builds the read model of the data directory under a filter and returns a view at the filter's clock.
func replay(ctx context.Context, dir string, tf timeFlags, env environment) (*projections.View, error) {
	filter, err := tf.filter()
	if err != nil {
		return nil, err
	}
	s, err := openRead(dir, env)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	m := projections.New(filter)
	for rec, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			return nil, fmt.Errorf("replay %s: %w", dir, err)
		}
		if err := m.Apply(rec); err != nil {
			return nil, fmt.Errorf("replay %s: %w", dir, err)
		}
	}
	return m.View(filter.Clock(time.Now().UTC())), nil
}
