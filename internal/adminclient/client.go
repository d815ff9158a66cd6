// Package adminclient is a typed Go client of the eccs admin API (/admin/v1, described by
// api/admin/openapi.yaml): one method per route, the wire types of package admin, errors as
// *Error. `eccsd admin …` is built on it.
//
// The client never logs, and no error it returns holds the operator token or a secret the
// server answered: secrets reach the caller only in the values of the calls that issue them.
package adminclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
)

// Client calls one admin API with one operator token. It is safe for concurrent use.
type Client struct {
	base      *url.URL // ends with /admin/v1, no trailing slash
	token     string
	http      *http.Client
	userAgent string
}

// Option tunes a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with c. The default client waits at most
// 5 minutes for the answer to a request once sent (the server checks an uploaded file before
// answering), and sets no bound on streaming a download: the context does.
func WithHTTPClient(c *http.Client) Option { return func(cl *Client) { cl.http = c } }

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 5 * time.Minute
	return &http.Client{Transport: t}
}

// WithUserAgent sets the User-Agent header of every request (default "eccs-adminclient").
func WithUserAgent(ua string) Option { return func(cl *Client) { cl.userAgent = ua } }

// maxJSONBytes bounds the JSON answers the client reads: the largest page of 1000 items is
// far smaller.
const maxJSONBytes = 32 << 20

// New returns a client of the admin API at baseURL with the operator token token. baseURL is
// the server's URL (https://ops.example.com), optionally with the API's path (…/admin/v1, as
// dev mode's adminUrl gives it). It fails when baseURL is not an http or https URL, or when
// token is empty.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("admin URL %q is not an http or https URL such as https://ops.example.com", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("admin URL %q: give the server's URL without credentials, query or fragment", u.Redacted())
	}
	if token == "" {
		return nil, errors.New("no operator token: set ECCS_ADMIN_TOKEN (eccsd admin operator-token create makes one)")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if !strings.HasSuffix(u.Path, admin.BasePath) {
		u.Path += admin.BasePath
	}
	c := &Client{base: u, token: token, http: defaultHTTPClient(), userAgent: "eccs-adminclient"}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the URL of the admin API the client calls, ending with /admin/v1.
func (c *Client) BaseURL() string { return c.base.String() }

// Error is an answer of the admin API that refused a request: the HTTP status and the gateway
// envelope (api.Error) with the request id the server gave it. An answer that is not the
// envelope (a proxy's error page) has Code 0 and its status text as Message.
type Error struct {
	Status      int
	Code        int
	Message     string
	Description string
	RequestID   string
}

// Error returns "404/60 Resource not found: <description> (request id …)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, "/%d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(" " + e.Message)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// IsNotFound reports whether err is a 404 answer of the admin API.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// IsConflict reports whether err is a 409 answer of the admin API.
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// Page selects a page of a list; zero values take the server's defaults (limit 100, offset 0).
type Page struct {
	Limit  int
	Offset int
}

func (p Page) set(q url.Values) {
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
}

// request is one call: the path under /admin/v1 (already escaped), its query, and its body.
type request struct {
	method      string
	path        string
	query       url.Values
	body        io.Reader // nil: no body
	contentType string
	length      int64  // of body, -1 when unknown
	accept      string // default application/json
	want        int    // the success status
}

// do sends r and returns the answer when its status is r.want; the caller closes its body.
// Any other status is an *Error; a failure to reach the server is wrapped with the method and
// URL (which hold no secret: the token travels in a header).
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	target := c.base.String() + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, r.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, target, err)
	}
	if r.body != nil {
		req.ContentLength = r.length
		if r.length == 0 {
			req.Body = http.NoBody
		}
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if r.accept == "" {
		r.accept = "application/json"
	}
	req.Header.Set("Accept", r.accept)
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, target, unwrapURLError(err))
	}
	if resp.StatusCode == r.want {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, errorOf(resp)
}

// unwrapURLError drops the *url.Error layer, whose text repeats the method and URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errorOf reads an error answer.
func errorOf(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get(api.HeaderRequestID)}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var env api.Error
	if json.Unmarshal(body, &env) == nil && env.Code != 0 {
		e.Code, e.Message, e.Description = env.Code, env.Message, env.Description
		return e
	}
	e.Message = http.StatusText(resp.StatusCode)
	e.Description = printable(body, 200)
	return e
}

// printable returns the start of an unexpected answer body, fit for one line of a message.
func printable(b []byte, max int) string {
	if !utf8.Valid(b) {
		return ""
	}
	s := strings.Join(strings.FieldsFunc(string(b), unicode.IsSpace), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// call sends a JSON request (in may be nil) and decodes the JSON answer into out (out may be
// nil when the answer has no body).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in any, want int, out any) error {
	r := request{method: method, path: path, query: query, want: want}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode the request: %w", method, path, err)
		}
		r.body, r.contentType, r.length = bytes.NewReader(b), "application/json", int64(len(b))
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeJSON(method, path, resp.Body, out)
}

// decodeJSON decodes a success answer into out, or discards it when out is nil.
func decodeJSON(method, path string, body io.Reader, out any) error {
	body = io.LimitReader(body, maxJSONBytes)
	if out == nil {
		io.Copy(io.Discard, body)
		return nil
	}
	if err := json.NewDecoder(body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the expected JSON: %w", method, path, err)
	}
	return nil
}

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

// bodyLength returns the length of an upload when r tells it (a file, a bytes or strings
// reader), or -1.
func bodyLength(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if s, ok := r.(io.Seeker); ok {
				if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
					return fi.Size() - pos
				}
			}
		}
	}
	return -1
}
