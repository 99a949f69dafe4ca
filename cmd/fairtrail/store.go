package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// storeFlags select the event store: the embedded store in --data (the default), or a server given by --store.
type storeFlags struct {
	data *string
	url  *string
	env  environment
}

// registerStore adds --data (default $FAIRTRAIL_DATA, else ./fairtrail-data) and --store (default
// $FAIRTRAIL_STORE; empty means the embedded store).
func registerStore(fs *flag.FlagSet, env environment) storeFlags {
	def := env.getenv("FAIRTRAIL_DATA")
	if def == "" {
		def = defaultData
	}
	return storeFlags{
		data: fs.String("data", def, "data directory of the embedded store (default $FAIRTRAIL_DATA or "+defaultData+")"),
		url:  fs.String("store", env.getenv("FAIRTRAIL_STORE"), "event store URL instead of the embedded store (default $FAIRTRAIL_STORE)"),
		env:  env,
	}
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
		return openURL(*sf.url, sf.env)
	}
	s, err := embedded.Open(*sf.data, embedded.Options{ReadOnly: readOnly, Logger: sf.env.logger()})
	if readOnly && errors.Is(err, eventstore.ErrNotFound) {
		return nil, fmt.Errorf("no events in %s (run fairtrail import or fairtrail demo first)", *sf.data)
	}
	return s, err
}

// openURL opens a store server by URL.
func openURL(url string, env environment) (eventstore.Store, error) {
	return nil, usagef("--store %q: no backend for this URL (only the embedded store is built in)", redactURL(url))
}

// redactURL hides a password in a connection string before it is shown or logged.
func redactURL(s string) string {
	at := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			at = i
			break
		}
	}
	scheme := -1
	for i := 0; i+2 < len(s); i++ {
		if s[i:i+3] == "://" {
			scheme = i + 3
			break
		}
	}
	if at < 0 || scheme < 0 || at < scheme {
		return s
	}
	for i := scheme; i < at; i++ {
		if s[i] == ':' {
			return s[:i+1] + "***" + s[at:]
		}
	}
	return s
}
