//go:build linux

package api

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestWholeAnswerCorkedChangesNoByteAndLeavesTheConnectionUncorked serves answers held whole (writeWhole) of
// several sizes, around net/http's 2 KB and 4 KB buffers, over TCP with and without ConnContext: the bytes on
// the wire (the Date header aside) must be the same, and each answer must leave the connection uncorked, as the
// next request on it finds it.
func TestWholeAnswerCorkedChangesNoByteAndLeavesTheConnectionUncorked(t *testing.T) {
	for _, size := range []int{0, 13, 2047, 2048, 4000, 4096, 35_000, 300_000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			plain, _ := serveWhole(t, size, false)
			corked, found := serveWhole(t, size, true)
			if !bytes.Equal(plain, corked) {
				t.Fatalf("corked answer differs:\n%.300q\nwant\n%.300q", corked, plain)
			}
			if !slices.Equal(found, []int{0, 0, 0}) {
				t.Fatalf("TCP_CORK found by the requests: %v, want [0 0 0]", found)
			}
		})
	}
}

// serveWhole asks three times on one connection for an answer of size bytes written by writeWhole, with the
// server's ConnContext when corked, and returns the raw answers without their Date header, and TCP_CORK as each
// request found it on the server's side of the connection.
func serveWhole(t *testing.T, size int, corked bool) (raw []byte, found []int) {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	body := bytes.Repeat([]byte("x"), size)
	var conn *net.TCPConn
	states := make(chan int, 3)
	r.GET("/", func(c *gin.Context) {
		states <- corkOf(t, conn)
		writeWhole(c, http.StatusOK, "application/json", body)
	})
	srv := httptest.NewUnstartedServer(r)
	srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		conn = c.(*net.TCPConn) // one connection: the handler runs after this
		if corked {
			return ConnContext(ctx, c)
		}
		return ctx
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rd := bufio.NewReader(c)
	for range 3 {
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		raw = append(raw, readAnswer(t, rd)...)
		found = append(found, <-states)
	}
	return raw, found
}

// readAnswer reads one HTTP/1.1 answer with a Content-Length, its Date header left out.
func readAnswer(t *testing.T, rd *bufio.Reader) []byte {
	t.Helper()
	var out bytes.Buffer
	n := -1
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(line, "Date: ") {
			out.WriteString(line)
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			fmt.Sscan(v, &n)
		}
		if line == "\r\n" {
			break
		}
	}
	if n < 0 {
		t.Fatalf("answer without a Content-Length:\n%s", out.Bytes())
	}
	if _, err := io.CopyN(&out, rd, int64(n)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// corkOf is TCP_CORK of the server's side of a connection.
func corkOf(t *testing.T, c *net.TCPConn) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := rc.Control(func(fd uintptr) { v, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return v
}
