package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/eccs/eccs/api"
)

// DefaultBaseURL is the real gateway.
const DefaultBaseURL = "https://api.orange.com"

// The environment variables New reads when an option does not give the value.
const (
	EnvBaseURL      = "ECCS_BASE_URL"
	EnvClientID     = "ECCS_CLIENT_ID"
	EnvClientSecret = "ECCS_CLIENT_SECRET"
	EnvAPIKey       = "ECCS_API_KEY"
)

// Defaults of the retry policy (WithRetries, WithMaxWait).
const (
	DefaultAttempts = 4
	DefaultBackoff  = 500 * time.Millisecond
	DefaultMaxWait  = time.Minute
)

// Client calls the Cloud Store Customer Space API. It gets an access token with the
// application's client credentials, reuses it until it expires, fetches a new one once when
// the API answers 401 with code 42, and retries calls the API refused for load (429, 503)
// after the delay it asked for. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	apiKey      string
	http        *http.Client
	tokens      *tokenCache
	maxAttempts int
	backoff     time.Duration
	maxWait     time.Duration
	userAgent   string
	log         *slog.Logger
}

// Option configures a Client.
type Option func(*options)

type options struct {
	clientID, clientSecret, apiKey, tokenURL, userAgent string
	httpClient                                          *http.Client
	maxAttempts                                         int
	backoff, maxWait                                    time.Duration
	getenv                                              func(string) string
	logger                                              *slog.Logger
	tokenStore                                          TokenStore
}

// WithCredentials sets the application's client id and secret (default: ECCS_CLIENT_ID and
// ECCS_CLIENT_SECRET).
func WithCredentials(clientID, clientSecret string) Option {
	return func(o *options) { o.clientID, o.clientSecret = clientID, clientSecret }
}

// WithAPIKey sets the customer-space account's API key (default: ECCS_API_KEY).
func WithAPIKey(key string) Option { return func(o *options) { o.apiKey = key } }

// WithTokenURL sets the token endpoint (default: the base URL + /oauth/v3/token).
func WithTokenURL(u string) Option { return func(o *options) { o.tokenURL = u } }

// WithHTTPClient sets the HTTP client of every request, token requests included. Its Timeout
// bounds whole downloads too: prefer contexts, or a Transport with ResponseHeaderTimeout.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithRetries sets how many times a call is attempted when the API refuses it for load: 429,
// or 403 with code 53 on older gateways, on every call; 503 on the calls that change nothing
// (GET and token requests), since a POST the server may have carried out must not be repeated.
// Between attempts the client waits what Retry-After says, or a backoff doubling from base,
// plus up to a quarter more at random so that refused clients do not come back together.
// Default: 4 attempts from 500 ms; 1 turns retries off.
func WithRetries(attempts int, base time.Duration) Option {
	return func(o *options) { o.maxAttempts, o.backoff = attempts, base }
}

// WithMaxWait sets the longest wait between two attempts (default one minute). When the API
// asks for a longer one in Retry-After, the client gives up at once with the *Error, whose
// RetryAfter tells the caller when to come back.
func WithMaxWait(d time.Duration) Option { return func(o *options) { o.maxWait = d } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// WithEnv reads the environment through getenv instead of os.Getenv (for tests and programs
// that keep their configuration elsewhere); a getenv that returns "" for everything turns the
// environment off.
func WithEnv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithLogger logs every HTTP exchange (method, path, status, request id) at debug level, and
// the waits before retries and the token refreshes at info level. Secrets are never logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// New returns a Client of the API at baseURL, the scheme and host the API's paths hang from
// (https://api.orange.com for the real gateway, http://127.0.0.1:8080 for `eccsd serve -dev`).
// An empty baseURL takes ECCS_BASE_URL, then DefaultBaseURL. Credentials not given as options
// come from ECCS_CLIENT_ID, ECCS_CLIENT_SECRET and ECCS_API_KEY. It fails when the base URL is
// not an absolute http(s) URL or a credential is missing; it makes no request.
func New(baseURL string, opts ...Option) (*Client, error) {
	o := options{maxAttempts: DefaultAttempts, backoff: DefaultBackoff, maxWait: DefaultMaxWait,
		getenv: os.Getenv, userAgent: "eccs-go-client/1"}
	for _, opt := range opts {
		opt(&o)
	}
	env := func(v *string, name string) {
		if *v == "" {
			*v = strings.TrimSpace(o.getenv(name))
		}
	}
	env(&baseURL, EnvBaseURL)
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	env(&o.clientID, EnvClientID)
	env(&o.clientSecret, EnvClientSecret)
	env(&o.apiKey, EnvAPIKey)
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("eccs client: base URL %q is not an absolute http(s) URL such as %s", baseURL, DefaultBaseURL)
	}
	switch {
	case o.clientID == "" || o.clientSecret == "":
		return nil, errors.New("eccs client: no client credentials: use WithCredentials or set ECCS_CLIENT_ID and ECCS_CLIENT_SECRET")
	case o.apiKey == "":
		return nil, errors.New("eccs client: no API key: use WithAPIKey or set ECCS_API_KEY")
	}
	if o.tokenURL == "" {
		o.tokenURL = base.String() + api.TokenPath
	}
	if o.httpClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// A server that accepts the connection and never answers must not hang a script;
		// bodies (downloads) may take as long as they take, bounded by the caller's context.
		t.ResponseHeaderTimeout = 2 * time.Minute
		o.httpClient = &http.Client{Transport: t}
	}
	if o.maxAttempts < 1 {
		o.maxAttempts = 1
	}
	if o.backoff <= 0 {
		o.backoff = DefaultBackoff
	}
	if o.maxWait <= 0 {
		o.maxWait = DefaultMaxWait
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		base: base, apiKey: o.apiKey, http: o.httpClient, maxAttempts: o.maxAttempts,
		backoff: o.backoff, maxWait: o.maxWait, userAgent: o.userAgent, log: o.logger,
	}
	c.tokens = &tokenCache{
		client: c,
		cfg: clientcredentials.Config{
			ClientID: o.clientID, ClientSecret: o.clientSecret, TokenURL: o.tokenURL,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		sem:   make(chan struct{}, 1),
		store: o.tokenStore,
	}
	return c, nil
}

// BaseURL returns the base URL the client calls, without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// request describes one API call.
type request struct {
	method   string
	path     string // under api.BasePath
	query    url.Values
	contract string // X-ECCS-Contract-Id, when set
	body     any    // encoded as JSON, when set
	header   http.Header
}

// idempotent reports whether the call may be sent again after an answer that does not say it
// was refused before being carried out (503).
func (r request) idempotent() bool { return r.method == http.MethodGet || r.method == http.MethodHead }

// do sends r, with the retries and the token refresh the Client promises, and returns a
// response whose status is below 400 (the caller closes its body) or an error: an *Error for
// an error answer, the context's error when it ends, a transport error otherwise.
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("eccs client: encode the request: %w", err)
		}
	}
	// r.path holds escaped segments (url.PathEscape): build the URL as text so that they stay so.
	target := c.base.String() + api.BasePath + r.path
	if q := r.query.Encode(); q != "" {
		target += "?" + q
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok, err := c.tokens.get(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, r.method, target, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("eccs client: %w", err)
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set(api.HeaderAPIKey, c.apiKey)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", c.userAgent)
		if r.contract != "" {
			req.Header.Set(api.HeaderContractID, r.contract)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("eccs client: %s %s: %w", r.method, req.URL.Path, err)
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "eccs call", slog.String("method", r.method), slog.String("path", req.URL.Path),
			slog.Int("status", resp.StatusCode), slog.String("request_id", resp.Header.Get(api.HeaderRequestID)), slog.Int("attempt", attempt))
		if resp.StatusCode < 400 {
			return resp, nil
		}
		apiErr := readError(resp)
		apiErr.Attempts = attempt
		switch {
		case apiErr.Status == http.StatusUnauthorized && apiErr.Code == api.CodeExpiredCredentials && !refreshed:
			// The token expired sooner than it said (a clock, a key rotation): fetch a new
			// one, once. This attempt does not count: the call was refused before anything.
			refreshed = true
			attempt--
			c.log.LogAttrs(ctx, slog.LevelInfo, "eccs token expired (401/42): fetching a new one", slog.String("request_id", apiErr.RequestID))
			c.tokens.invalidate(tok)
			continue
		case (apiErr.RateLimited() || (apiErr.Retryable() && r.idempotent())) && attempt < c.maxAttempts:
			if err := c.wait(ctx, attempt, apiErr); err != nil {
				return nil, err
			}
			continue
		}
		return nil, apiErr
	}
}

// wait sleeps before attempt+1: what Retry-After says, or a backoff doubling from the base;
// plus up to a quarter more at random, to spread clients that were refused together. It
// returns e itself, without waiting, when the API asks for a longer wait than the maximum, and
// the context's error when it ends first.
func (c *Client) wait(ctx context.Context, attempt int, e *Error) error {
	d := e.RetryAfter
	if d == 0 && !e.retryAfterSent {
		d = c.backoff << min(attempt-1, 16)
	}
	if d > c.maxWait {
		if e.retryAfterSent {
			return e
		}
		d = c.maxWait
	}
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	c.log.LogAttrs(ctx, slog.LevelInfo, "eccs call refused for load: waiting before retrying", slog.Int("status", e.Status),
		slog.Int("code", e.Code), slog.Duration("wait", d), slog.Int("attempt", attempt), slog.String("request_id", e.RequestID))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 1<<31)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// getJSON calls r and decodes a JSON answer into v; it returns the answer's headers.
func (c *Client) getJSON(ctx context.Context, r request, v any) (http.Header, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(v); err != nil {
		return nil, fmt.Errorf("eccs client: %s %s: decode the answer: %w", r.method, api.BasePath+r.path, err)
	}
	return resp.Header, nil
}
