package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

const logName = "events.log"

// ErrLocked is returned (wrapped) by Open of a writable store whose directory another process holds open for
// writing.
var ErrLocked = errors.New("data directory locked by another writer")

// Options tune a store; the zero value is a writable store with the system clock.
type Options struct {
	// ReadOnly opens without the writer lock, for reading while another process may write.
	ReadOnly bool
	// Now is the clock for recorded_at (time.Now when nil).
	Now func() time.Time
	// Logger receives recovery warnings (slog.Default when nil).
	Logger *slog.Logger
}

// Store is the embedded event store. It is safe for concurrent use.
type Store struct {
	dir  string
	opts Options
	f    *os.File
	lock *os.File

	mu      sync.RWMutex // guards ix and committed
	ix      *index
	ixOnce  sync.Once // read-only stores index lazily
	retired []*frozen // persisted indexes replaced by a checkpoint, unmapped at Close
	// checkpointAt is the fewest events appended before the writer persists the index (see checkpointMin).
	checkpointAt uint64
	// indexBlock is the block size of the events.idx this store writes (idxBlockSize; tests set less).
	indexBlock int
	rescanMu   sync.Mutex // one rescan at a time (see lookup)
	ixErr      error
	notify     chan struct{} // closed and replaced after every commit
	size       atomic.Int64  // bytes of the log that are committed
	failed     atomic.Pointer[error]
	sendMu     sync.RWMutex // held shared while queueing an op, exclusively by Close
	requests   chan *appendOp
	stop       chan struct{}
	done       chan struct{}
	closed     atomic.Bool

	tree       *treefile.File // the log's Merkle tree; opened lazily for a read-only store
	treeOnce   sync.Once
	treeErr    error
	durable    treeDurable // leaves of the tree known to be on disk
	treeSyncAt int64       // unsynced leaves after which a commit syncs the tree (treeSyncEvery)
	treeSyncMu sync.Mutex  // one syncTreeTo at a time
}

var _ eventstore.Store = (*Store)(nil)

// Open opens (creating if need be) the store in dir. A writable store takes an exclusive lock on the
// directory; a second writer gets an error naming it.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Store{dir: dir, opts: opts, notify: make(chan struct{}), checkpointAt: checkpointMin, indexBlock: idxBlockSize,
		treeSyncAt: treeSyncEvery}
	if opts.ReadOnly {
		f, err := os.Open(filepath.Join(dir, logName))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open event store %s: no %s (nothing imported yet?): %w", dir, logName, eventstore.ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("open event store: %w", err)
		}
		s.f = f
		if err := checkMagic(f); err != nil {
			f.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.openWritable(); err != nil {
		s.release()
		return nil, err
	}
	s.requests = make(chan *appendOp, 256)
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	go s.writeLoop()
	return s, nil
}

func (s *Store) openWritable() error {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(s.dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open lock file: %w", err)
	}
	s.lock = lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("data directory %s is in use by another fairtrail process (%w): %w", s.dir, err, ErrLocked)
	}
	path := filepath.Join(s.dir, logName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	s.f = f
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() == 0 {
		if _, err := f.WriteAt(fileMagic, 0); err != nil {
			return fmt.Errorf("initialise %s: %w", path, err)
		}
		if err := syncFile(f); err != nil {
			return err
		}
		if err := syncDir(s.dir); err != nil {
			return err
		}
	} else if err := checkMagic(f); err != nil {
		return err
	}
	if err := s.recover(); err != nil {
		return err
	}
	return s.openTree()
}

func checkMagic(f *os.File) error {
	b := make([]byte, len(fileMagic))
	if _, err := f.ReadAt(b, 0); err != nil || string(b) != string(fileMagic) {
		return fmt.Errorf("%s is not a fairtrail event log (format %q expected)", f.Name(), fileMagic)
	}
	return nil
}

// recover builds the index, from events.idx and the log's tail when the persisted index matches the log,
// else by scanning the whole log, and cuts off an unacknowledged tail (see the package comment). The records
// the persisted index covers are still read and checked (a sequential sweep, no decoding), so that a log
// damaged or edited in the middle is refused for writing as before.
func (s *Store) recover() error {
	ix, end, damaged, err := scanIndex(s.f, newIndex(s.loadBase()), true)
	if errors.Is(err, errIndexFile) {
		s.opts.Logger.Warn("event log: the persisted index does not match the log; rebuilding it", "err", err)
		ix.base.close()
		ix, end, damaged, err = scanIndex(s.f, newIndex(nil), true)
	}
	if err != nil {
		return err
	}
	s.ix = ix
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	if damaged != nil {
		if !damaged.lastRecord {
			return fmt.Errorf("refusing to write to a damaged log: %w (run fairtrail verify)", damaged.err)
		}
		if err := s.quarantine(end, st.Size()); err != nil {
			return err
		}
		s.opts.Logger.Warn("event log: last record failed its checksum; moved to quarantine",
			"offset", end, "bytes", st.Size()-end)
	} else if end < st.Size() {
		s.opts.Logger.Warn("event log: cut off an incomplete record left by a crash (never acknowledged)",
			"offset", end, "bytes", st.Size()-end)
	}
	if err := s.cutTail(end, st.Size()); err != nil {
		return err
	}
	s.size.Store(end)
	return nil
}

// cutTail truncates the log to end when it is longer, durably.
func (s *Store) cutTail(end, size int64) error {
	if end >= size {
		return nil
	}
	if err := s.f.Truncate(end); err != nil {
		return fmt.Errorf("truncate torn tail: %w", err)
	}
	return syncFile(s.f)
}

// damage describes a record that failed its checks during a scan.
type damage struct {
	err        *eventstore.CorruptError
	lastRecord bool // nothing but this record follows
}

// scanIndex reads the records after those ix's base covers and adds them to ix, returning ix, the offset
// after the last good record and, if one failed its checks, where. With sweep, the records the base covers
// are read too and checked (checksum, position, offset) without being added; a base that does not match the
// log, or damage within it, gives errIndexFile (the caller scans again without the base). A record that
// cannot be read is a crash's torn tail when no good record follows it; otherwise it is damage in the middle
// of the log.
func scanIndex(f *os.File, ix *index, sweep bool) (*index, int64, *damage, error) {
	from, next := int64(len(fileMagic)), uint64(1)
	if !sweep && ix.base != nil {
		from, next = ix.base.logEnd, ix.base.n+1
	}
	covered := ix.baseN()
	sc := newScanner(f, from, -1)
	for ; ; next++ {
		off, payload, crcOK, err := sc.next()
		if err == io.EOF {
			if next <= covered {
				return ix, 0, nil, fmt.Errorf("%w: it covers %d events, the log holds %d", errIndexFile, covered, next-1)
			}
			return ix, sc.off, nil, nil
		}
		incomplete := errors.Is(err, errTorn) || errors.Is(err, errBadLength)
		if err != nil && !incomplete {
			return nil, 0, nil, fmt.Errorf("scan event log: %w", err)
		}
		var h header
		var herr error
		if !incomplete {
			h, _, herr = decodeHeader(payload)
			if crcOK && herr == nil && h.position == next {
				if err := ix.take(off, h, covered); err != nil {
					return ix, 0, nil, err
				}
				continue
			}
		}
		if next <= covered {
			return ix, 0, nil, fmt.Errorf("%w: the log's record at position %d fails its checks", errIndexFile, next)
		}
		st, serr := f.Stat()
		if serr != nil {
			return nil, 0, nil, serr
		}
		followed := goodRecordAfter(f, off, st.Size(), next-1)
		if incomplete && !followed {
			return ix, off, nil, nil // torn tail: cut off at open
		}
		d := &damage{err: corruptAt(off, next, payload, describeDamage(incomplete, crcOK, herr, h)), lastRecord: !followed}
		return ix, off, d, nil
	}
}

func describeDamage(incomplete, crcOK bool, herr error, h header) string {
	switch {
	case incomplete:
		return "record length is impossible or runs past the end, and good records follow"
	case !crcOK:
		return "record fails its checksum (edited or damaged)"
	case herr != nil:
		return herr.Error()
	}
	return "position " + strconv.FormatUint(h.position, 10) + " out of sequence"
}

// goodRecordAfter reports whether a good record (a plausible length, the next positions, a matching CRC)
// starts anywhere in the log after offset from. It runs only when a scan meets a record it cannot read.
func goodRecordAfter(f io.ReaderAt, from, size int64, after uint64) bool {
	const chunk = 1 << 20
	const probe = headerSize + 9 // length, CRC, version, position
	buf := make([]byte, chunk+probe)
	for base := from + 1; base+probe <= size; base += chunk {
		n, _ := f.ReadAt(buf, base)
		for i := 0; i+probe <= n && i < chunk; i++ {
			l := binary.LittleEndian.Uint32(buf[i:])
			if l < fixedPartBytes || l > maxPayload || buf[i+headerSize] != recordVersion {
				continue
			}
			pos := binary.LittleEndian.Uint64(buf[i+headerSize+1:])
			o := base + int64(i)
			if pos <= after || pos > after+1<<24 || o+headerSize+int64(l) > size {
				continue
			}
			payload := make([]byte, l)
			if _, err := f.ReadAt(payload, o+headerSize); err == nil &&
				checkPayload(payload, binary.LittleEndian.Uint32(buf[i+4:])) {
				return true
			}
		}
	}
	return false
}

// corruptAt names a damaged record as far as its payload can be read.
func corruptAt(off int64, pos uint64, payload []byte, problem string) *eventstore.CorruptError {
	ce := &eventstore.CorruptError{
		Position: eventstore.Position{Commit: pos, Prepare: pos},
		Where:    logName + " offset " + strconv.FormatInt(off, 10),
		Problem:  problem,
	}
	if h, _, err := decodeHeader(payload); err == nil {
		ce.EventID = h.id.String()
		ce.Stream = string(h.stream)
	}
	return ce
}

// quarantine copies bytes [from, to) of the log to a file beside it before they are cut off.
func (s *Store) quarantine(from, to int64) error {
	b := make([]byte, to-from)
	if _, err := s.f.ReadAt(b, from); err != nil && err != io.EOF {
		return err
	}
	name := filepath.Join(s.dir, fmt.Sprintf("quarantine-%d-offset-%d.bin", s.opts.Now().Unix(), from))
	if err := os.WriteFile(name, b, 0o440); err != nil {
		return fmt.Errorf("quarantine damaged tail: %w", err)
	}
	return syncDir(s.dir)
}

// index returns the index, building it on first use for a read-only store: from events.idx and the log's
// tail when the persisted index matches the log, without reading what it covers; else by a scan of the log.
func (s *Store) index() (*index, error) {
	if s.opts.ReadOnly {
		s.ixOnce.Do(func() {
			ix, end, err := s.scanReadOnly(s.loadBase())
			s.mu.Lock()
			s.ix, s.ixErr = ix, err
			s.size.Store(end)
			s.mu.Unlock()
		})
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix, s.ixErr
}

// Close commits the appends already queued, stops the writer and releases the files. Appends after Close
// fail with eventstore.ErrClosed.
func (s *Store) Close() error {
	s.sendMu.Lock()
	first := s.closed.CompareAndSwap(false, true)
	s.sendMu.Unlock()
	if !first {
		return nil
	}
	var err error
	if s.stop != nil {
		close(s.stop)
		<-s.done
		if s.failed.Load() == nil {
			err = errors.Join(s.syncTreeTo(s.tree.Leaves()), s.persistIndex())
		}
	}
	return errors.Join(err, s.release())
}

func (s *Store) release() error {
	var err error
	if s.f != nil {
		err = s.f.Close()
	}
	if s.tree != nil {
		err = errors.Join(err, s.tree.Close())
	}
	if s.ix != nil {
		err = errors.Join(err, s.ix.base.close())
	}
	for _, fz := range s.retired {
		err = errors.Join(err, fz.close())
	}
	if s.lock != nil {
		// Unlocked before closing: a child forked meanwhile by this process shares the lock's file
		// description until it execs, and would hold the lock that long.
		_ = syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		s.lock.Close()
	}
	return err
}
