package api

import (
	"bufio"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// streamBuffer is how much of a streamed answer is held before the first bytes are sent: an error before
// then is answered as any other (a status and an error body); only a listing longer than this starts first.
const streamBuffer = 64 << 10

// stream answers 200 with the body write writes, in contentType, as it is written: a CSV listing is never
// held whole. Until its first streamBuffer bytes are sent, an error of write is returned for handle to answer,
// as a JSON listing's error is (nothing of the body was sent); after, the status and part of the body are on
// their way, so the error is logged once and the connection is closed without ending the body, so that the
// client reads an incomplete answer as failed, never as a short table.
func (s *Server) stream(c *gin.Context, contentType string, write func(io.Writer) error) error {
	sw := &startWriter{c: c, contentType: contentType}
	bw := bufio.NewWriterSize(sw, streamBuffer)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && !sw.started { // an empty body: the status and type alone
		sw.start()
	}
	if err == nil || !sw.started {
		return err
	}
	c.Set(ctxErrorCode, "internal")
	s.log.Error("answer failed after it started", "request_id", requestID(c), "route", routeLabel(c), "err", err.Error())
	abortConnection(c)
	return nil
}

// startWriter writes the status and Content-Type before the first bytes of the body.
type startWriter struct {
	c           *gin.Context
	contentType string
	started     bool
}

func (w *startWriter) start() {
	w.started = true
	w.c.Header("Content-Type", w.contentType)
	w.c.Status(http.StatusOK)
	w.c.Writer.WriteHeaderNow()
}

func (w *startWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.start()
	}
	return w.c.Writer.Write(p)
}

// abortConnection closes a started answer's connection without ending its body (no last chunk): by taking
// the connection over and closing it, or where it cannot be taken over (HTTP/2), by net/http's abort panic,
// which recoverPanics lets through.
func abortConnection(c *gin.Context) {
	c.Abort()
	conn, _, err := http.NewResponseController(c.Writer).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
