package synth

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Options control a generated dataset.
type Options struct {
	// Workers is the number of workers (>= 1). The dataset has 15 to 19 events per worker (more where
	// more of them work in Taiwan, whose broker fee is deducted every month).
	Workers int
	// Seed selects the dataset: the same options give the same output, byte for byte.
	Seed int64
	// Start is the first business date (zero: 2023-01-01T00:00:00Z), in any zone, to the second. Events span
	// the three years from it; national policies keep their historical effective dates.
	Start time.Time
}

// ErrInvalidOptions is matched (with errors.Is) by the error Generate and Events return for unusable Options.
var ErrInvalidOptions = errors.New("synth: invalid options")

// defaultStart is the first business date when Options.Start is zero.
var defaultStart = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

// spanYears is how long a dataset runs from its start.
const spanYears = 3

// Generate writes the dataset as NDJSON envelopes, one per line,
//
//	{"event_id":"...","type":"...","occurred_at":"2023-02-01T09:00:00Z","data":{...}}
//
// to w through a buffer, and returns the number of events written (on a write error, the number generated
// before it). Every line passes domain.Decode. The errors are ErrInvalidOptions (wrapped, naming the option)
// and those of w (wrapped).
func Generate(w io.Writer, opts Options) (int, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	write := func(line []byte) error {
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("synth: write: %w", err)
		}
		return nil
	}
	n, err := run(opts, write)
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("synth: write: %w", err)
	}
	return n, nil
}

// Events returns the same dataset as Generate, each line decoded with domain.Decode, in the same order. It is
// slower than Generate (decoding validates every event) and holds the whole dataset in memory. The errors are
// ErrInvalidOptions (wrapped) and, should a generated event ever fail to decode, the decoding error (wrapped).
func Events(opts Options) ([]domain.Envelope, error) {
	var envs []domain.Envelope
	if opts.Workers > 0 {
		envs = make([]domain.Envelope, 0, opts.Workers*16+opts.Workers/4+64)
	}
	decode := func(line []byte) error {
		env, err := domain.Decode(line[:len(line)-1])
		if err != nil {
			return fmt.Errorf("synth: generated an invalid event: %w", err)
		}
		envs = append(envs, env)
		return nil
	}
	if _, err := run(opts, decode); err != nil {
		return nil, err
	}
	return envs, nil
}

// run generates the dataset of opts, handing each line (ending in '\n') to out.
func run(opts Options, out func(line []byte) error) (int, error) {
	start, err := opts.start()
	if err != nil {
		return 0, err
	}
	if opts.Workers < 1 {
		return 0, fmt.Errorf("%w: Workers is %d, must be at least 1", ErrInvalidOptions, opts.Workers)
	}
	g := newGenerator(opts, start, out)
	g.generate()
	if g.err != nil {
		return g.n, g.err
	}
	return g.n, nil
}

// start is the first business instant, in UTC and whole seconds.
func (o Options) start() (time.Time, error) {
	if o.Start.IsZero() {
		return defaultStart, nil
	}
	s := o.Start.UTC().Truncate(time.Second)
	if s.Year() < 1900 || s.Year() > 2190 {
		return s, fmt.Errorf("%w: Start %s is outside the years 1900-2190", ErrInvalidOptions,
			s.Format(time.RFC3339))
	}
	return s, nil
}

// generator holds the state of one generation. Every random choice is drawn from rng, in a fixed order.
type generator struct {
	opts  Options
	rng   *rand.Rand
	start time.Time // first business instant
	end   time.Time // last business instant; later events are left out
	ids   idSource
	out   func(line []byte) error
	line  []byte
	n     int   // events emitted
	err   error // first error; generation stops at it
	w     world
	queue []queued      // a stream's events waiting to be sorted by business time
	data  bytes.Buffer  // an event's data, as domain.EncodeData writes it
	enc   *json.Encoder // writes to data
	yes   bool          // worker_copy values are pointers to these
	no    bool
}

// queued is an event waiting to be emitted.
type queued struct {
	at time.Time
	ev domain.Event
}

func newGenerator(opts Options, start time.Time, out func([]byte) error) *generator {
	seed := uint64(opts.Seed)
	g := &generator{
		opts:  opts,
		rng:   rand.New(rand.NewPCG(seed, 0x6661697274726169)),
		start: start,
		end:   start.AddDate(spanYears, 0, 0).Add(-time.Second),
		ids:   idSource{seed: seed ^ 0x9e3779b97f4a7c15},
		out:   out,
		line:  make([]byte, 0, 4096),
		yes:   true,
	}
	g.enc = json.NewEncoder(&g.data)
	g.enc.SetEscapeHTML(false)
	return g
}

// generate emits the whole dataset: organisations, policies and job orders first, then the workers, then
// the closing of job orders, then the daily exchange rates.
func (g *generator) generate() {
	g.buildOrganisations()
	g.emitOrganisations()
	g.emitPolicies()
	g.planJobOrders()
	g.emitJobOrders()
	g.emitWorkers()
	g.emitClosures()
	g.emitRates()
}

// emit writes one envelope line. Errors are kept in g.err; once set, emit does nothing.
func (g *generator) emit(at time.Time, e domain.Event) {
	if g.err != nil {
		return
	}
	// domain.EncodeData's encoding, into a buffer kept between events (a fresh one per event was a tenth of the
	// generator's time).
	g.data.Reset()
	if err := g.enc.Encode(e); err != nil {
		g.err = fmt.Errorf("synth: encode %s: %w", e.EventType(), err)
		return
	}
	data := bytes.TrimSuffix(g.data.Bytes(), []byte{'\n'})
	b := append(g.line[:0], `{"event_id":"`...)
	b = appendUUID(b, g.ids.next(at))
	b = append(b, `","type":"`...)
	b = append(b, e.EventType()...) // catalogue names need no escaping
	b = append(b, `","occurred_at":"`...)
	b = at.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","data":`...)
	b = append(b, data...)
	b = append(b, '}', '\n')
	g.line = b
	if err := g.out(b); err != nil {
		g.err = err
		return
	}
	g.n++
}

// add queues an event of the current stream.
func (g *generator) add(at time.Time, e domain.Event) {
	g.queue = append(g.queue, queued{at: at, ev: e})
}

// flush emits the queued events in business-time order (stable: ties keep the order they were queued in).
func (g *generator) flush() {
	q := g.queue
	for i := 1; i < len(q); i++ {
		for j := i; j > 0 && q[j].at.Before(q[j-1].at); j-- {
			q[j], q[j-1] = q[j-1], q[j]
		}
	}
	for _, e := range q {
		g.emit(e.at, e.ev)
	}
	clear(q)
	g.queue = q[:0]
}

// appendUUID appends the 8-4-4-4-12 lower-case hex form of id (as EventID.String writes it).
func appendUUID(b []byte, id domain.EventID) []byte {
	b = hex.AppendEncode(b, id[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, id[10:])
}

// idSource derives event ids from the seed and a counter: the random bits of the n-th event's UUIDv7 come
// from a PCG seeded with (seed, n), its time bits from occurred_at.
type idSource struct {
	seed    uint64
	counter uint64
	pcg     rand.PCG
}

// Read fills p from the PCG; it never fails.
func (s *idSource) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := s.pcg.Uint64()
		for j := i; j < len(p) && j < i+8; j++ {
			p[j] = byte(v)
			v >>= 8
		}
	}
	return len(p), nil
}

// next is the id of the next event, which occurred at t.
func (s *idSource) next(t time.Time) domain.EventID {
	s.counter++
	s.pcg.Seed(s.seed, s.counter)
	id, _ := domain.NewEventID(t, s) // Read never fails
	return id
}
