package postgres

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestParseStatementTimeoutReadsPostgreSQLValues(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"10000", 10 * time.Second, true},
		{"0", 0, true},
		{"250ms", 250 * time.Millisecond, true},
		{"5s", 5 * time.Second, true},
		{"2min", 2 * time.Minute, true},
		{"1h", time.Hour, true},
		{" 3 s", 3 * time.Second, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5s", 0, false},
		{"5 weeks", 0, false},
		{"99999999999999999999", 0, false},
	} {
		got, ok := parseStatementTimeout(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseStatementTimeout(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// silentServer accepts connections and never answers, as a frozen PostgreSQL does.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestBoundedConnFailsAReadThatGetsNoAnswerWithinTheBound(t *testing.T) {
	addr := silentServer(t)
	dial := boundDial((&net.Dialer{}).DialContext, 0, 200*time.Millisecond)
	conn, err := dial(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("a query")); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	_, err = conn.Read(make([]byte, 16))
	took := time.Since(begin)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a read with no answer returned %v, want a timeout", err)
	}
	if took < 150*time.Millisecond || took > 5*time.Second {
		t.Errorf("a read with no answer failed after %s, want about the bound (200ms)", took)
	}

	// A deadline set by the caller (pgx, when a context ends) wins when it is earlier, and is
	// kept for the reads after it.
	conn.SetDeadline(time.Now().Add(-time.Second))
	begin = time.Now()
	if _, err := conn.Read(make([]byte, 16)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a read past the caller's deadline returned %v, want os.ErrDeadlineExceeded", err)
	}
	if took := time.Since(begin); took > 100*time.Millisecond {
		t.Errorf("a read past the caller's deadline waited %s", took)
	}
	conn.SetDeadline(time.Time{}) // the caller clears it: the bound applies again
	begin = time.Now()
	conn.Read(make([]byte, 16))
	if took := time.Since(begin); took < 150*time.Millisecond {
		t.Errorf("with the caller's deadline cleared, a read failed after %s, want the bound (200ms)", took)
	}
}
