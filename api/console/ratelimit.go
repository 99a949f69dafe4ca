package console

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limiter bounds the attempts each client makes at worker links: a bucket of burst attempts per client,
// refilled at one every interval. A client is the request's remote address (its IP, without the port).
// Behind a reverse proxy every client has the proxy's address and they all share one bucket: rate-limit at
// the proxy as well (README, "Worker access links and the worker's own page").
type limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	burst    float64
	interval time.Duration
	clients  map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxClients bounds the limiter's memory: past it, buckets full again are dropped.
const maxClients = 100_000

func newLimiter(now func() time.Time, burst int, interval time.Duration) *limiter {
	return &limiter{now: now, burst: float64(burst), interval: interval, clients: map[string]*bucket{}}
}

// allow takes an attempt from the client's bucket and reports whether there was one.
func (l *limiter) allow(r *http.Request) bool {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.clients) >= maxClients {
		l.sweep(now)
	}
	b := l.clients[ip]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.clients[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.interval))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops the buckets that have refilled; the caller holds mu.
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(l.burst) * l.interval
	for ip, b := range l.clients {
		if now.Sub(b.at) >= full {
			delete(l.clients, ip)
		}
	}
}
