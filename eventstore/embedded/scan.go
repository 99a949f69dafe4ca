package embedded

import (
	"encoding/binary"
	"errors"
	"io"
)

var (
	// errTorn: the log ends inside a record (a write cut short); the record was never acknowledged.
	errTorn = errors.New("incomplete record at end of log")
	// errBadLength: a record's length field is impossible.
	errBadLength = errors.New("record length out of range")
)

// scanner reads records one after another from a file, from an offset to its end.
type scanner struct {
	f   io.ReaderAt
	off int64 // file offset of buf[r]
	buf []byte
	r   int
	w   int
	eof bool
	end int64 // offset where reading stops (-1: end of file)
}

// newScanner reads from off to end (-1: the end of the file). Its buffer fits the region when that is small,
// as it is for a subscription woken by each commit, and is 1 MiB for long reads; fill grows it for a larger
// record.
func newScanner(f io.ReaderAt, off, end int64) *scanner {
	size := int64(1 << 20)
	if end >= 0 {
		size = min(size, max(end-off, headerSize))
	}
	return &scanner{f: f, off: off, buf: make([]byte, size), end: end}
}

// fill makes n bytes available at buf[r:], reading more of the file; false when the file ends first.
func (s *scanner) fill(n int) (bool, error) {
	for s.w-s.r < n {
		if s.eof {
			return false, nil
		}
		if s.r > 0 {
			copy(s.buf, s.buf[s.r:s.w])
			s.w -= s.r
			s.r = 0
		}
		if n > len(s.buf) {
			s.buf = append(s.buf, make([]byte, n-len(s.buf))...)
		}
		want := len(s.buf) - s.w
		at := s.off + int64(s.w)
		if s.end >= 0 && at+int64(want) > s.end {
			want = int(s.end - at)
		}
		k, err := s.f.ReadAt(s.buf[s.w:s.w+want], at)
		s.w += k
		if err == io.EOF || want == 0 || k < want && err == nil {
			s.eof = true
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

// next returns the next record's offset and payload (valid until the following call) and whether its CRC
// holds. At the clean end of the log it returns io.EOF; errTorn or errBadLength where it cannot go on.
func (s *scanner) next() (off int64, payload []byte, crcOK bool, err error) {
	ok, err := s.fill(headerSize)
	if err != nil {
		return 0, nil, false, err
	}
	if !ok {
		if s.w == s.r {
			return s.off, nil, false, io.EOF
		}
		return s.off, nil, false, errTorn
	}
	n := binary.LittleEndian.Uint32(s.buf[s.r:])
	crc := binary.LittleEndian.Uint32(s.buf[s.r+4:])
	if n < fixedPartBytes || n > maxPayload {
		return s.off, nil, false, errBadLength
	}
	ok, err = s.fill(headerSize + int(n))
	if err != nil {
		return 0, nil, false, err
	}
	if !ok {
		return s.off, nil, false, errTorn
	}
	off = s.off
	payload = s.buf[s.r+headerSize : s.r+headerSize+int(n)]
	s.r += headerSize + int(n)
	s.off += int64(headerSize + int(n))
	return off, payload, checkPayload(payload, crc), nil
}
