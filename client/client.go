package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/eccs/eccs/api"
)

// DefaultBaseURL is the real gateway.
const DefaultBaseURL = "https://api.orange.com"

// Client calls the Cloud Store Customer Space API. It gets an access token with the
// application's client credentials, reuses it until it expires, fetches a new one once when
// the API answers 401 with code 42, and retries calls the API refused for load (429, 503)
// after the delay it asked for. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	apiKey      string
	http        *http.Client
	tokens      *tokenSource
	maxAttempts int
	backoff     time.Duration
	userAgent   string
}

// Option configures a Client.
type Option func(*options)

type options struct {
	clientID, clientSecret, apiKey, tokenURL, userAgent string
	httpClient                                          *http.Client
	maxAttempts                                         int
	backoff                                             time.Duration
	getenv                                              func(string) string
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

// WithHTTPClient sets the HTTP client of every request, token requests included.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithRetries sets how many times a call is attempted when the API answers 429 or 503 (or
// 403 with code 53), waiting between attempts as the API says in Retry-After, or with a
// jittered exponential backoff from base. Default: 4 attempts, base 500 ms; 1 turns retries off.
func WithRetries(attempts int, base time.Duration) Option {
	return func(o *options) { o.maxAttempts, o.backoff = attempts, base }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// WithEnv reads the environment through getenv instead of os.Getenv (for tests and programs
// that keep their configuration elsewhere).
func WithEnv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// New returns a Client of the API at baseURL, the scheme and host the API's paths hang from
// (https://api.orange.com for the real gateway, http://127.0.0.1:8080 for `eccsd serve -dev`).
// An empty baseURL takes ECCS_BASE_URL, then DefaultBaseURL. Credentials not given as options
// come from ECCS_CLIENT_ID, ECCS_CLIENT_SECRET and ECCS_API_KEY. It fails when the base URL is
// not absolute or a credential is missing.
func New(baseURL string, opts ...Option) (*Client, error) {
	o := options{maxAttempts: 4, backoff: 500 * time.Millisecond, getenv: os.Getenv, userAgent: "eccs-go-client"}
	for _, opt := range opts {
		opt(&o)
	}
	env := func(v *string, name string) {
		if *v == "" {
			*v = o.getenv(name)
		}
	}
	env(&baseURL, "ECCS_BASE_URL")
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	env(&o.clientID, "ECCS_CLIENT_ID")
	env(&o.clientSecret, "ECCS_CLIENT_SECRET")
	env(&o.apiKey, "ECCS_API_KEY")
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("eccs client: base URL %q is not an absolute http(s) URL", baseURL)
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
		o.httpClient = &http.Client{Timeout: 0} // downloads may be long; calls use contexts
	}
	if o.maxAttempts < 1 {
		o.maxAttempts = 1
	}
	c := &Client{
		base: base, apiKey: o.apiKey, http: o.httpClient, maxAttempts: o.maxAttempts,
		backoff: o.backoff, userAgent: o.userAgent,
	}
	c.tokens = &tokenSource{client: c, cfg: clientcredentials.Config{
		ClientID: o.clientID, ClientSecret: o.clientSecret, TokenURL: o.tokenURL,
		EndpointParams: url.Values{}, AuthStyle: oauth2.AuthStyleInHeader,
	}}
	return c, nil
}

// Token returns an access token, fetching one only when there is none or it is about to
// expire.
func (c *Client) Token(ctx context.Context) (string, error) { return c.tokens.token(ctx) }

// tokenSource hands out the current token and replaces it on demand.
type tokenSource struct {
	client *Client
	cfg    clientcredentials.Config
	mu     sync.Mutex
	ts     oauth2.TokenSource
}

func (t *tokenSource) token(ctx context.Context) (string, error) {
	for attempt := 1; ; attempt++ {
		t.mu.Lock()
		if t.ts == nil {
			// The source outlives this call: its context only carries the HTTP client.
			t.ts = t.cfg.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, t.client.http))
		}
		ts := t.ts
		t.mu.Unlock()
		tok, err := ts.Token()
		if err == nil {
			return tok.AccessToken, nil
		}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			status := re.Response.StatusCode
			if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && attempt < t.client.maxAttempts {
				if werr := t.client.wait(ctx, attempt, re.Response.Header); werr != nil {
					return "", werr
				}
				t.forget(nil)
				continue
			}
			return "", tokenError(re)
		}
		return "", fmt.Errorf("eccs client: get an access token: %w", err)
	}
}

// forget drops the current token source, so that the next call fetches a new token; only if
// the source is still ts (nil: whatever it is), so that concurrent callers refresh once.
func (t *tokenSource) forget(ts oauth2.TokenSource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ts == nil || t.ts == ts {
		t.ts = nil
	}
}

func (t *tokenSource) current() oauth2.TokenSource {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ts
}

// request describes one API call.
type request struct {
	method   string
	path     string // under api.BasePath
	query    url.Values
	contract string // X-ECCS-Contract-Id, when set
	body     any    // encoded as JSON, when set
	header   http.Header
}

// do sends r, with the retries and the token refresh the Client promises, and returns a
// response whose status is below 400 (the caller closes its body) or an *Error.
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("eccs client: encode the request: %w", err)
		}
	}
	u := *c.base
	u.Path += api.BasePath + r.path
	u.RawQuery = r.query.Encode()
	refreshed := false
	for attempt := 1; ; attempt++ {
		ts := c.tokens.current()
		token, err := c.tokens.token(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("eccs client: %w", err)
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		req.Header.Set("Authorization", "Bearer "+token)
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
			return nil, fmt.Errorf("eccs client: %s %s: %w", r.method, u.Path, err)
		}
		if resp.StatusCode < 400 {
			return resp, nil
		}
		apiErr := readError(resp)
		switch {
		case apiErr.Code == api.CodeExpiredCredentials && !refreshed:
			// The token expired sooner than it said (a clock, a key rotation): fetch a new
			// one, once.
			refreshed = true
			c.tokens.forget(ts)
			continue
		case apiErr.Retryable() && attempt < c.maxAttempts:
			if err := c.wait(ctx, attempt, resp.Header); err != nil {
				return nil, err
			}
			continue
		}
		return nil, apiErr
	}
}

// wait sleeps before attempt+1: what Retry-After says, or a jittered exponential backoff.
func (c *Client) wait(ctx context.Context, attempt int, h http.Header) error {
	d := time.Duration(0)
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		d = time.Duration(s) * time.Second
	} else {
		d = c.backoff << (attempt - 1)
	}
	d = min(d, time.Minute)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1)) // spread clients that were refused together
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// getJSON calls r and decodes a JSON answer into v; it returns the answer's headers.
func (c *Client) getJSON(ctx context.Context, r request, v any) (http.Header, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(v); err != nil {
		return nil, fmt.Errorf("eccs client: %s %s: decode the answer: %w", r.method, r.path, err)
	}
	return resp.Header, nil
}
