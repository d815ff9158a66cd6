// Requests, written byte for byte, and their answers.

package hostile_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// deadline bounds every hostile request, from connecting to the last byte of the
// answer: a server that hangs fails its case instead of the whole run.
const deadline = 20 * time.Second

// request is a request as it goes on the wire.
type request struct {
	method   string
	target   string // the request-target, sent as is
	proto    string // "HTTP/1.1" when empty
	header   []headerField
	rawLines []string // header lines sent verbatim, after header
	body     []byte
	framed   bool // header already frames the body (Content-Length, Transfer-Encoding): add nothing
	noHost   bool
}

type headerField struct{ name, value string }

// with returns r with every header named name replaced by one header per value; no value
// removes it.
func (r request) with(name string, values ...string) request {
	var h []headerField
	for _, x := range r.header {
		if !strings.EqualFold(x.name, name) {
			h = append(h, x)
		}
	}
	for _, v := range values {
		h = append(h, headerField{name, v})
	}
	r.header = h
	return r
}

// get returns the first value of a header of r.
func (r request) get(name string) string {
	for _, x := range r.header {
		if strings.EqualFold(x.name, name) {
			return x.value
		}
	}
	return ""
}

// withBody returns r with another body.
func (r request) withBody(body []byte) request {
	r.body = body
	return r
}

// wire returns the bytes of r for a server at addr. Every request closes its connection.
func (r request) wire(addr string) []byte {
	var b bytes.Buffer
	proto := r.proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	b.WriteString(r.method + " " + r.target + " " + proto + "\r\n")
	if !r.noHost {
		b.WriteString("Host: " + addr + "\r\n")
	}
	for _, h := range r.header {
		b.WriteString(h.name + ": " + h.value + "\r\n")
	}
	for _, line := range r.rawLines {
		b.WriteString(line + "\r\n")
	}
	if !r.framed && (len(r.body) > 0 || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.body)) + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.Write(r.body)
	return b.Bytes()
}

// httpRequest returns r as the OpenAPI validator needs it (method, URL, headers), or nil when
// its target is not a URL.
func (r request) httpRequest(addr string) *http.Request {
	u, err := url.ParseRequestURI(r.target)
	if err != nil {
		return nil
	}
	u.Scheme, u.Host = "http", addr
	// The server answers a path with '.' or '..' segments (once decoded) 404/60 before any
	// route (doc/decisions.md); the descriptions have no operation to check that against.
	if strings.Contains(u.Path, "/.") && path.Clean(u.Path) != strings.TrimRight(u.Path, "/") {
		return nil
	}
	h := http.Header{}
	for _, x := range r.header {
		h.Add(x.name, x.value)
	}
	return &http.Request{Method: r.method, URL: u, Header: h, Host: addr}
}

// summary describes r for a failure message: method, target and header names (cut), body size.
func (r request) summary() string {
	var names []string
	for _, h := range r.header {
		names = append(names, fmt.Sprintf("%s(%d)", h.name, len(h.value)))
	}
	return fmt.Sprintf("%s %q headers %s, %d lines verbatim, %d-byte body", cutText(r.method, 20), cutText(r.target, 120),
		strings.Join(names, " "), len(r.rawLines), len(r.body))
}

// response is what came back.
type response struct {
	status  int
	header  http.Header
	body    []byte
	cut     error // reading the body failed after the status line
	elapsed time.Duration
}

// cutText shortens a value quoted in a failure message.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (a response) summary() string {
	return fmt.Sprintf("%d after %s: %s", a.status, a.elapsed.Round(time.Millisecond), cutText(string(a.body), 300))
}

// send writes r on a fresh connection to addr and reads the answer, all within
// deadline. The request is written while the answer is read: a server may answer (413)
// before it has read a large body.
func send(addr string, r request) (response, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, deadline)
	if err != nil {
		return response{}, err
	}
	defer conn.Close()
	conn.SetDeadline(start.Add(deadline))
	wrote := make(chan error, 1)
	go func() {
		_, err := conn.Write(r.wire(addr))
		wrote <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: r.method})
	if err != nil {
		var writeErr error
		select {
		case writeErr = <-wrote:
		default:
		}
		return response{elapsed: time.Since(start)}, fmt.Errorf("no answer after %s: %v (writing: %v)", time.Since(start).Round(time.Millisecond), err, writeErr)
	}
	body, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: body, cut: err, elapsed: time.Since(start)}, nil
}
