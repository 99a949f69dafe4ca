package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/query"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// modelDir is where the read model of the selected store lives: --cache, else the embedded store's data
// directory, else (a store server) a directory of the user's cache named after the server.
func (sf storeFlags) modelDir() (string, error) {
	if sf.cache != nil && *sf.cache != "" {
		return *sf.cache, nil
	}
	if *sf.url == "" {
		return *sf.data, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", usagef("--cache DIR (or $FAIRTRAIL_CACHE) is needed with --store: %v", err)
	}
	sum := sha256.Sum256([]byte(*sf.url))
	return filepath.Join(base, "fairtrail", hex.EncodeToString(sum[:8])), nil
}

// openModel opens the read model of a store and catches it up, showing a rebuild's progress on a terminal.
func openModel(ctx context.Context, sf storeFlags, s eventstore.Store) (*readmodel.Model, error) {
	dir, err := sf.modelDir()
	if err != nil {
		return nil, err
	}
	m, err := readmodel.Open(dir, readmodel.Options{Logger: sf.env.logger(), Progress: rebuildBar(sf.env.stderr),
		KeepAskedCurrencies: true})
	if err != nil {
		return nil, err
	}
	if _, err := m.CatchUp(ctx, s); err != nil {
		m.Close()
		return nil, fmt.Errorf("read model of %s: %w", sf, err)
	}
	return m, nil
}

// openQuery parses the time flags, then opens the store read-only with its read model, caught up, for queries
// under that filter; close releases both. A --known-at before the first record is noted on standard error, so
// that an empty answer says why.
func openQuery(ctx context.Context, sf storeFlags, tf timeFlags) (r query.Reader, filter projections.Filter, close func(), err error) {
	if filter, err = tf.filter(); err != nil {
		return r, filter, nil, err
	}
	r, close, err = openReader(ctx, sf, filter)
	return r, filter, close, err
}

// queryAndPrint reads the format flag, opens the read model under the time flags, asks it for one report as
// of now and prints that report in the format asked for, as wide as the terminal or --wide allows.
func queryAndPrint[T any](cmd *cobra.Command, env environment, sf storeFlags, tf timeFlags, format func() (string, error),
	wide bool, print func(io.Writer, T, string, int) error,
	ask func(context.Context, query.Reader, projections.Filter, time.Time) (T, error)) error {
	f, err := format()
	if err != nil {
		return err
	}
	rd, filter, done, err := openQuery(cmd.Context(), sf, tf)
	if err != nil {
		return err
	}
	defer done()
	report, err := ask(cmd.Context(), rd, filter, time.Now().UTC())
	if err != nil {
		return err
	}
	return print(env.stdout, report, f, tableWidth(env, wide))
}

func openReader(ctx context.Context, sf storeFlags, filter projections.Filter) (r query.Reader, close func(), err error) {
	s, err := sf.open(true)
	if err != nil {
		return r, nil, err
	}
	m, err := openModel(ctx, sf, s)
	if err == nil && !filter.KnownAt.IsZero() {
		err = noteFirstRecord(ctx, s, filter.KnownAt, sf.env)
	}
	if err != nil {
		if m != nil {
			m.Close()
		}
		s.Close()
		return r, nil, err
	}
	return query.Reader{Store: s, Model: m}, func() { m.Close(); s.Close() }, nil
}

// rebuildBar draws a rebuild's progress on w when it is a terminal.
func rebuildBar(w io.Writer) func(done, total uint64) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total uint64) {
		if bar == nil {
			bar = progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription("rebuilding the read model"), progressbar.OptionShowCount(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
		}
		bar.Set64(int64(done))
	}
}
