package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
)

type contextKey int

const requestIDKey contextKey = iota

// requestID returns the id of the request being served, or "".
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// newRequestID returns a random version-4 UUID. It correlates a response with the server's
// log line; it is not a secret, so the fast runtime generator is enough.
func newRequestID() string {
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 9562 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// recorder remembers the status and size of a response for the log line. It passes ReadFrom
// through, so file downloads keep using sendfile, and Unwrap, for http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

func (rec *recorder) ReadFrom(src io.Reader) (int64, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := io.Copy(rec.ResponseWriter, src)
	rec.bytes += n
	return n, err
}

func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// serveHTTP is the outermost layer: it gives every response a fresh X-OAPI-Request-Id (a
// client-sent one is never trusted), normalises the path, recovers from panics and writes one
// log line per request. Query strings and headers are never logged: they may carry secrets.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	w.Header().Set(api.HeaderRequestID, id)
	ctx := context.WithValue(r.Context(), requestIDKey, id)
	r = r.WithContext(ctx)
	rec := &recorder{ResponseWriter: w}

	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				// A handler cut the connection on purpose (after logging why): log the
				// request, then let net/http close it.
				s.logRequest(ctx, r, rec, start, id)
				panic(p)
			}
			s.logger.LogAttrs(ctx, slog.LevelError, "panic", slog.String("request_id", id),
				slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			if rec.status == 0 {
				s.writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
		}
		s.logRequest(ctx, r, rec, start, id)
	}()

	if !canonicalPath(r.URL.Path) {
		s.writeError(rec, r, fail(http.StatusNotFound, api.CodeResourceNotFound, "No resource lives at a path with empty, '.' or '..' segments."))
		return
	}
	// The guide writes some paths with a trailing slash: accept it everywhere.
	if len(r.URL.Path) > 1 && strings.HasSuffix(r.URL.Path, "/") {
		r.URL.Path = strings.TrimRight(r.URL.Path, "/")
		r.URL.RawPath = strings.TrimRight(r.URL.RawPath, "/")
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
	}
	s.mux.ServeHTTP(rec, r)
}

// logRequest writes the one log line of a request.
func (s *server) logRequest(ctx context.Context, r *http.Request, rec *recorder, start time.Time, id string) {
	s.logger.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", truncate(redactPath(r.URL.Path), 200)),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("remote", r.RemoteAddr),
	)
}

// canonicalPath reports whether p has no empty segment (except a trailing slash), no "." and
// no ".." segment. The mux would answer those with a redirect; an API answers 404.
func canonicalPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	segments := strings.Split(strings.TrimRight(p[1:], "/"), "/")
	for i, seg := range segments {
		if seg == "." || seg == ".." || (seg == "" && !(i == 0 && len(segments) == 1)) {
			return false
		}
	}
	return true
}

// claimSegment is the path segment under which claim links carry their secret token.
var claimSegment = strings.TrimPrefix(admin.ClaimPath, "/")

// redactPath returns p, or, when a segment of p is the claim links' (in any case), p up to it
// followed by "/claim/{token}": a claim link's token is a secret, and clients mangle links
// (/claim/<token>/x, //claim/<token>, /claim/<token>/., /x/../claim/<token>). Every path that
// reaches a log line or an error's description goes through it.
func redactPath(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' || i+1+len(claimSegment) > len(p) || !strings.EqualFold(p[i+1:i+1+len(claimSegment)], claimSegment) {
			continue
		}
		if end := i + 1 + len(claimSegment); end == len(p) || p[end] == '/' {
			if end == len(p) || end+1 == len(p) {
				return p // "/claim" or "/claim/": nothing follows
			}
			return p[:i] + admin.ClaimPath + "/{token}"
		}
	}
	return p
}
