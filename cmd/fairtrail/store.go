package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/kurrent"
)

// storeFlags select the event store: the embedded store in --data (the default), or a server given by --store.
type storeFlags struct {
	data  *string
	url   *string
	cache *string
	env   environment
}

// registerStore adds --data (default $FAIRTRAIL_DATA, else ./fairtrail-data) and --store (default
// $FAIRTRAIL_STORE; empty means the embedded store).
func registerStore(fs *pflag.FlagSet, env environment) storeFlags {
	def := env.getenv("FAIRTRAIL_DATA")
	if def == "" {
		def = defaultData
	}
	return storeFlags{
		data: fs.String("data", def, "data directory of the embedded store ($FAIRTRAIL_DATA)"),
		url:  fs.String("store", env.getenv("FAIRTRAIL_STORE"), "KurrentDB connection string (kurrentdb://... or esdb://...) to use instead of the embedded store ($FAIRTRAIL_STORE)"),
		cache: fs.String("cache", env.getenv("FAIRTRAIL_CACHE"), "directory for what is derived from a --store server between "+
			"runs, such as the log's tree ($FAIRTRAIL_CACHE; empty: computed again each run)"),
		env: env,
	}
}

// cacheDir is --cache, or "" for stores named without the flag (copy's, demo's).
func (sf storeFlags) cacheDir() string {
	if sf.cache == nil {
		return ""
	}
	return *sf.cache
}

// String names the store for messages.
func (sf storeFlags) String() string {
	if *sf.url != "" {
		return redactURL(*sf.url)
	}
	return *sf.data
}

// open opens the selected store; readOnly opens the embedded store without taking the writer's lock, so
// queries can run beside a writer.
func (sf storeFlags) open(readOnly bool) (eventstore.Store, error) {
	if *sf.url != "" {
		return openURL(*sf.url, sf.cacheDir(), sf.env)
	}
	s, err := embedded.Open(*sf.data, embedded.Options{ReadOnly: readOnly, Logger: sf.env.logger()})
	switch {
	case readOnly && errors.Is(err, eventstore.ErrNotFound):
		return nil, noEvents(*sf.data)
	case errors.Is(err, embedded.ErrLocked):
		return nil, lockedError(*sf.data, err)
	}
	return s, err
}

// noEvents says that dir holds no store, and how to fill it.
func noEvents(dir string) error {
	what := "no events in " + dir
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		what = "no data directory " + dir
	}
	return failedError{fmt.Sprintf("%s: import events with 'fairtrail import --data %s FILE', "+
		"or fill it with a demo dataset with 'fairtrail demo --data %s'", what, dir, dir)}
}

// connectTimeout bounds how long opening a store server may take.
const connectTimeout = 30 * time.Second

// openURL opens a store server by URL: KurrentDB (EventStoreDB) for kurrentdb://, kurrentdb+discover://, esdb://
// and esdb+discover:// connection strings, passed to the client as given (the kurrentdb schemes as their esdb
// equivalents), so that TLS settings, credentials and cluster seeds apply.
func openURL(url, cache string, env environment) (eventstore.Store, error) {
	if !isStoreURL(url) {
		return nil, usagef("--store %q: not a store URL (KurrentDB: kurrentdb://host:2113?tls=false, "+
			"kurrentdb://user:password@a:2113,b:2113,c:2113, kurrentdb+discover://cluster.example.org:2113; esdb:// "+
			"and esdb+discover:// too)", redactURL(url))
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	s, err := kurrent.Open(ctx, url, kurrent.Options{Logger: env.logger(), CacheDir: cache})
	if errors.Is(err, kurrent.ErrConnString) {
		return nil, usagef("--store %s: %v", redactURL(url), err)
	}
	if err != nil {
		return nil, fmt.Errorf("--store %s: %w", redactURL(url), err)
	}
	return s, nil
}

// isStoreURL reports whether a store is named by a KurrentDB connection string rather than a directory.
func isStoreURL(s string) bool {
	return kurrent.IsConnString(s)
}

// redactURL hides a password in a connection string before it is shown or logged.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	userinfo, hosts, ok := strings.Cut(rest, "@")
	if !ok {
		return s
	}
	user, _, hasPassword := strings.Cut(userinfo, ":")
	if !hasPassword {
		return s
	}
	return scheme + "://" + user + ":***@" + hosts
}
