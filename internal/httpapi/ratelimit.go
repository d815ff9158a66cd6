package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per key (a client id or an application id). Keys are
// authenticated applications, so the map is bounded by how many exist; idle full buckets are
// still dropped now and then to keep it small.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	perSec  rate.Limit
	burst   int
	now     func() time.Time
	sweepAt time.Time
}

func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	return &limiter{buckets: map[string]*rate.Limiter{}, perSec: rate.Limit(perSecond), burst: burst, now: now}
}

// verdict is the outcome of one limiter check, with what the RateLimit headers report.
type verdict struct {
	allowed    bool
	limit      int
	remaining  int
	retryAfter time.Duration // until one more request is allowed
}

func (l *limiter) allow(key string) verdict {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(l.perSec, l.burst)
		l.buckets[key] = b
	}
	allowed := b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	v := verdict{allowed: allowed, limit: l.burst, remaining: max(0, int(math.Floor(tokens)))}
	if tokens < 1 {
		v.retryAfter = time.Duration((1 - tokens) / float64(l.perSec) * float64(time.Second))
	}
	if now.After(l.sweepAt) {
		l.sweep(now)
	}
	return v
}

// sweep drops buckets that have refilled completely: they behave exactly like new ones.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	l.sweepAt = now.Add(time.Minute)
}

// setHeaders writes the RateLimit headers of v, and Retry-After when refused.
func (v verdict) setHeaders(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(v.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(v.remaining))
	reset := int(math.Ceil(v.retryAfter.Seconds()))
	h.Set("RateLimit-Reset", strconv.Itoa(reset))
	if !v.allowed {
		h.Set("Retry-After", strconv.Itoa(max(1, reset)))
	}
}
