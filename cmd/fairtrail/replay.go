package main

import (
	"context"
	"fmt"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// replay builds the read model of the store under a filter and returns a view at the filter's clock.
func replay(ctx context.Context, sf storeFlags, tf timeFlags) (*projections.View, error) {
	filter, err := tf.filter()
	if err != nil {
		return nil, err
	}
	s, err := sf.open(true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	m, err := projections.Rebuild(ctx, s, filter)
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", sf, err)
	}
	return m.View(filter.Clock(time.Now().UTC())), nil
}
