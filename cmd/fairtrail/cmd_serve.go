package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/console"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// serveConfig is what serve runs with, as it is logged at start (the store URL with its password masked).
type serveConfig struct {
	addr            string
	store           string
	keys            string
	links           string
	publicURL       string
	limits          api.Limits
	shutdownTimeout time.Duration
	logFormat       string
	log             serveLog
	currency        string
}

// LogValue implements slog.LogValuer: the configuration as it is logged at start.
func (c serveConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", c.addr), slog.String("store", c.store), slog.String("keys", c.keys),
		slog.String("links", c.links), slog.String("public_url", c.publicURL),
		slog.Int64("max_body_bytes", c.limits.MaxBodyBytes), slog.Int64("max_import_bytes", c.limits.MaxImportBytes),
		slog.Duration("shutdown_timeout", c.shutdownTimeout), slog.String("currency", c.currency))
}

// newServeCmd serves the HTTP API until the context ends (SIGINT or SIGTERM), then drains the requests in
// flight for up to --shutdown-timeout.
func newServeCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and the web console over the store",
		Example: `  fairtrail keys create --org ops --role admin   # prints the key once
  fairtrail serve --addr :8080
  fairtrail serve --currency USD                # money metrics in US dollars, for the Grafana dashboard
  fairtrail serve --store 'kurrentdb://127.0.0.1:2113?tls=false' --keys /etc/fairtrail/keys.json`,
	}
	fs := cmd.Flags()
	sf := registerStore(fs, env)
	kf := registerKeys(fs, env, sf.data)
	addrDef := env.getenv("FAIRTRAIL_ADDR")
	if addrDef == "" {
		addrDef = ":8080"
	}
	cfg := serveConfig{}
	fs.StringVar(&cfg.addr, "addr", addrDef, "listen address ($FAIRTRAIL_ADDR)")
	fs.StringVar(&cfg.publicURL, "public-url", env.getenv("FAIRTRAIL_PUBLIC_URL"),
		"base URL of the workers' access links, such as https://fairtrail.example.org ($FAIRTRAIL_PUBLIC_URL; default: the scheme and host each request came to)")
	fs.Int64Var(&cfg.limits.MaxBodyBytes, "max-body", 8<<20, "largest POST /v1/events body, in bytes")
	fs.Int64Var(&cfg.limits.MaxImportBytes, "max-import", 1<<30, "largest POST /v1/import body, in bytes")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 20*time.Second, "how long to drain requests at shutdown (e.g. 20s, 1m)")
	fs.StringVar(&cfg.logFormat, "log-format", "json", "log format: json or text")
	completeWith(cmd, "log-format", "json", "text")
	cfg.log.files = registerLogFiles(fs, env, sf.data)
	fs.DurationVar(&cfg.log.every, "checkpoint-every", time.Minute, "how often to sign a checkpoint of the log when it has grown")
	var witnessDef []string
	if v := env.getenv("FAIRTRAIL_WITNESS_KEYS"); v != "" {
		witnessDef = strings.Split(v, ",")
	}
	fs.StringArrayVar(&cfg.log.witnessKeys, "witness-key", witnessDef, "a witness's verifier key, or a file holding it, "+
		"whose cosignatures POST /v1/log/cosignatures keeps (repeatable; $FAIRTRAIL_WITNESS_KEYS, comma-separated); "+
		"once one is given, cosignatures of any other are refused")
	fs.StringVar(&cfg.currency, "currency", env.getenv("FAIRTRAIL_CURRENCY"), "reporting currency of the money metrics "+
		"(ISO 4217, e.g. USD; $FAIRTRAIL_CURRENCY): worker-paid, outstanding and overdue money converted into it")
	completeWith(cmd, "currency", "USD", "EUR", "GBP", "MYR")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if *sf.url != "" && *kf.keys == "" {
			return usagef("serve: --keys FILE (or $FAIRTRAIL_KEYS) is required with --store: there is no data directory")
		}
		if cfg.logFormat != "json" && cfg.logFormat != "text" {
			return usagef("serve: --log-format %q: json or text", cfg.logFormat)
		}
		if cfg.currency != "" {
			if err := projections.CheckCurrency(cfg.currency); err != nil {
				return usagef("serve: --currency (or $FAIRTRAIL_CURRENCY): %v", err)
			}
		}
		if cfg.limits.MaxBodyBytes <= 0 || cfg.limits.MaxImportBytes <= 0 || cfg.shutdownTimeout <= 0 || cfg.log.every <= 0 {
			return usagef("serve: --max-body, --max-import, --shutdown-timeout and --checkpoint-every must be positive")
		}
		cfg.log.explicit = *cfg.log.files.key != ""
		for _, k := range cfg.log.witnessKeys {
			v, err := checkpoint.CosignatureVerifier(k)
			if err != nil {
				return usagef("serve: --witness-key (or $FAIRTRAIL_WITNESS_KEYS): %v", err)
			}
			cfg.log.witnesses = append(cfg.log.witnesses, v)
		}
		if cfg.publicURL != "" {
			if _, err := workerlink.URL(cfg.publicURL, "x"); err != nil {
				return usagef("serve: --public-url: %v", err)
			}
		}
		cfg.store, cfg.keys, cfg.links = sf.String(), kf.path(), kf.linksPath()
		return serve(cmd.Context(), sf, cfg, env)
	}
	return cmd
}

func serve(ctx context.Context, sf storeFlags, cfg serveConfig, env environment) error {
	var logger *slog.Logger
	if cfg.logFormat == "text" {
		logger = slog.New(slog.NewTextHandler(env.stderr, nil))
	} else {
		logger = slog.New(slog.NewJSONHandler(env.stderr, nil))
	}
	_, statErr := os.Stat(*sf.data)
	existed := *sf.url != "" || !errors.Is(statErr, os.ErrNotExist)
	store, err := sf.open(false)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := warnEmpty(ctx, store, sf, existed, logger); err != nil {
		return err
	}
	model, err := openFollowed(ctx, sf, store, cfg.currency, logger)
	if err != nil {
		return err
	}
	defer model.stop() // on an early return; runServer stops it and reports its error
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gin.SetMode(gin.ReleaseMode) // gin's own debug printing; the API logs through slog
	kf := keys.Open(cfg.keys, keys.Options{})
	pk, pkFrom, err := pageKey(env.getenv, cfg.keys)
	if err != nil {
		return fmt.Errorf("serve: %w (or set $%s, at least %d bytes, the same on every replica)", err, pageKeyEnv, minPageKey)
	}
	logger.Info("page tokens signed with a stable key", "from", pkFrom)
	noteStore, err := openNotes(sf, false)
	if err != nil {
		return err
	}
	defer noteStore.Close()
	// The embedded store's directory lock keeps every other process from writing it while serve runs.
	acfg := api.Config{Store: store, Model: model.m, SoleWriter: *sf.url == "", Keys: kf, Registry: reg, Logger: logger,
		Limits: cfg.limits, Links: keys.OpenLinks(cfg.links, keys.Options{}), PublicURL: cfg.publicURL, Notes: noteStore,
		Currency: cfg.currency, PageKey: pk}
	signer, err := cfg.log.logSigner(store, &acfg, logger)
	if err != nil {
		return err
	}
	apiH, err := api.New(acfg)
	if err != nil {
		return err
	}
	rd := apiH.Reader()
	con, err := console.New(console.Config{Reader: rd, Keys: kf, Logger: logger, Workers: rd, Linker: rd, Reports: rd,
		PublicURL: cfg.publicURL})
	if err != nil {
		return err
	}
	h := withConsole(apiH, con)
	if signer != nil {
		signCtx, stopSigning := context.WithCancel(ctx)
		signed := make(chan error, 1)
		go func() { signed <- signer.Run(signCtx, cfg.log.every) }()
		defer func() { stopSigning(); <-signed }()
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 3 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: api.TransportHeaderBytes,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn), ConnContext: api.ConnContext}
	remove, err := announceServer(sf, ln.Addr().String())
	if err != nil {
		ln.Close()
		return err
	}
	defer remove()
	logger.Info("listening", "addr", ln.Addr().String(), "config", cfg)
	return runServer(ctx, srv, ln, model, cfg.shutdownTimeout, logger)
}

// warnEmpty logs, at start, that the store holds no events yet (and that its directory was created), and how
// to fill it.
func warnEmpty(ctx context.Context, store eventstore.Store, sf storeFlags, existed bool, logger *slog.Logger) error {
	head, err := store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the head of %s: %w", sf, err)
	}
	if head != eventstore.Start {
		return nil
	}
	if !existed {
		logger.Warn("the data directory did not exist and was created empty", "data", *sf.data)
	}
	logger.Warn("the store holds no events yet: answers will be empty until events are posted "+
		"(POST /v1/events, or POST /v1/import for an NDJSON file with an admin key)", "store", sf.String())
	return nil
}

// runServer runs the HTTP server until ctx ends or the server fails, then shuts it down gracefully, stops the
// read model's follower and closes the model, reporting their errors. The follower is not waited on here: it
// ends only with ctx (readmodel.Model.Follow logs a failed catch-up and tries again), so its end in the select
// would only race ctx's and report a shutdown as a failure.
func runServer(ctx context.Context, srv *http.Server, ln net.Listener, model *followed, drain time.Duration, logger *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var failure error
	httpDone := false
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "reason", context.Cause(ctx).Error())
	case err := <-served:
		httpDone, failure = true, fmt.Errorf("http server: %w", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running after the drain timeout; closing", "err", err)
		srv.Close()
	}
	if err := model.stop(); err != nil && failure == nil {
		failure = fmt.Errorf("read model follower: %w", err)
	}
	if !httpDone {
		if err := <-served; !errors.Is(err, http.ErrServerClosed) && failure == nil {
			failure = fmt.Errorf("http server: %w", err)
		}
	}
	if failure == nil {
		logger.Info("stopped")
	}
	return failure
}

// followed is a read model kept caught up with the store by a goroutine, which stop ends and waits for before
// it closes the model.
type followed struct {
	m       *readmodel.Model
	cancel  context.CancelFunc
	done    chan error // the follower's end
	stopped bool
}

// openFollowed opens the store's read model and follows the store with it until stop. A rebuild it needs runs
// in the background; until it has caught up once, reads answer 503 and /readyz says "starting". The model
// keeps the money totals of the reporting currency (when one is set), which the metrics read.
func openFollowed(ctx context.Context, sf storeFlags, store eventstore.Store, currency string, logger *slog.Logger) (*followed, error) {
	dir, err := sf.modelDir()
	if err != nil {
		return nil, err
	}
	opts := readmodel.Options{Logger: logger}
	if currency != "" {
		opts.Currencies = []string{currency}
	}
	m, err := readmodel.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Follow(ctx, store, 100*time.Millisecond) }()
	return &followed{m: m, cancel: cancel, done: done}, nil
}

// stop ends the follower, waits for it and closes the model; it returns the follower's error other than its
// cancellation.
func (f *followed) stop() error {
	if f.stopped {
		return nil
	}
	f.stopped = true
	f.cancel()
	var err error
	if e := <-f.done; !errors.Is(e, context.Canceled) {
		err = e
	}
	if cerr := f.m.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close the read model: %w", cerr)
	}
	return err
}

// withConsole serves the API's routes (/v1/..., /healthz, /readyz, /metrics, /openapi.yaml) from the API and
// everything else from the web console at /.
func withConsole(apiH, con http.Handler) http.Handler {
	mux := http.NewServeMux()
	for _, p := range []string{"/v1/", "/healthz", "/readyz", "/metrics", "/openapi.yaml"} {
		mux.Handle(p, apiH)
	}
	mux.Handle("/", con)
	return mux
}
