package postgres

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// boundMargin is how much longer than statement_timeout a connection waits for the server:
// room for the network, and for the server to notice its own timeout.
const boundMargin = 2 * time.Second

// boundDial makes every connection dial takes wait at most bound for the server: to connect,
// and on each read and write afterwards (boundedConn).
func boundDial(dial pgconn.DialFunc, connectTimeout, bound time.Duration) pgconn.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if connectTimeout <= 0 { // a host that drops packets would hold the dial for minutes
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, bound)
			defer cancel()
		}
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &boundedConn{Conn: conn, bound: bound}, nil
	}
}

// boundedConn is a connection to PostgreSQL on which no read or write waits longer than
// bound. A server that stops answering while the connection stays open (a frozen process, a
// network cut that drops packets) then fails the call after bound, with Unavailable, instead
// of holding it and its pooled connection until TCP gives up (a quarter of an hour) or for
// ever. The server cancels every statement at statement_timeout, so a bound of that plus a
// margin cuts no answer that is still coming. Deadlines pgx sets itself (to interrupt a call
// whose context ended) still apply: the earlier deadline wins.
type boundedConn struct {
	net.Conn
	bound time.Duration

	mu            sync.Mutex // orders the deadlines pgx sets against those Read and Write arm
	readDeadline  time.Time  // the deadline pgx asked for; zero: none
	writeDeadline time.Time
}

func (c *boundedConn) Read(p []byte) (int, error) {
	if err := c.arm(c.readDeadline, c.Conn.SetReadDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *boundedConn) Write(p []byte) (int, error) {
	if err := c.arm(c.writeDeadline, c.Conn.SetWriteDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// arm sets the deadline of the coming read or write: bound from now, or asked when pgx set
// an earlier one.
func (c *boundedConn) arm(asked time.Time, set func(time.Time) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	deadline := time.Now().Add(c.bound)
	if !asked.IsZero() && asked.Before(deadline) {
		deadline = asked
	}
	return set(deadline)
}

func (c *boundedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readDeadline, c.writeDeadline = t, t
	return c.Conn.SetDeadline(t)
}

func (c *boundedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readDeadline = t
	return c.Conn.SetReadDeadline(t)
}

func (c *boundedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeDeadline = t
	return c.Conn.SetWriteDeadline(t)
}

// parseStatementTimeout reads a statement_timeout setting as PostgreSQL does: an integer of
// milliseconds, or with a unit (ms, s, min, h, d). It returns false for anything else, and 0
// for "0" (no timeout).
func parseStatementTimeout(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	digits, unit := v, "ms"
	if i >= 0 {
		digits, unit = v[:i], strings.TrimSpace(v[i:])
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := units[unit]
	if !ok || n > int64(1<<62)/int64(u) {
		return 0, false
	}
	return time.Duration(n) * u, true
}
