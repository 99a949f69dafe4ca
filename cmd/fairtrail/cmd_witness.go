package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// witnessTimeout bounds one witness run.
const witnessTimeout = time.Minute

// logWitness runs the witness once: exit 1, saying why, when the log's new checkpoint does not extend the
// one kept.
func logWitness(ctx context.Context, o witnessOptions, env environment) error {
	v, err := checkpoint.ParseVerifier(o.key)
	if err != nil {
		return usagef("log witness: --key: %v", err)
	}
	witnessKey := ""
	if o.sign != "" {
		b, err := os.ReadFile(o.sign)
		if err != nil {
			return usagef("log witness: --sign: %v", err)
		}
		witnessKey = string(b)
	}
	ctx, cancel := context.WithTimeout(ctx, witnessTimeout)
	defer cancel()
	src := checkpoint.HTTPSource{BaseURL: o.url, APIKey: o.apiKey, Client: &http.Client{Timeout: witnessTimeout}}
	res, err := checkpoint.Witness(ctx, src, v, o.state, witnessKey)
	if errors.Is(err, checkpoint.ErrInconsistent) || errors.Is(err, checkpoint.ErrSignature) {
		return failedError{err.Error()}
	}
	if err != nil {
		return err
	}
	switch {
	case res.Previous.Size == 0:
		fmt.Fprintf(env.stdout, "accepted the first checkpoint of %s: %d events\n", res.Current.Origin, res.Current.Size)
	default:
		fmt.Fprintf(env.stdout, "accepted checkpoint of %d events, consistent with the %d kept\n", res.Current.Size, res.Previous.Size)
	}
	if res.Cosigned {
		fmt.Fprintln(env.stdout, "cosignature posted")
	}
	return nil
}
