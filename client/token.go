package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// AccessToken is an access token and when it expires, as the token endpoint said.
type AccessToken struct {
	Value  string
	Expiry time.Time // zero when the endpoint gave no lifetime
}

// Token returns the current access token (for curl, or another program), fetching one only
// when there is none or it is about to expire.
func (c *Client) Token(ctx context.Context) (string, error) {
	t, err := c.AccessToken(ctx)
	return t.Value, err
}

// AccessToken is Token with the token's expiry.
func (c *Client) AccessToken(ctx context.Context) (AccessToken, error) {
	tok, err := c.tokens.get(ctx)
	if err != nil {
		return AccessToken{}, err
	}
	return AccessToken{Value: tok.AccessToken, Expiry: tok.Expiry}, nil
}

// TokenStore keeps the access token between processes (a command line, a cron job), so that
// successive runs reuse one token rather than each fetching its own: the token endpoint allows
// 50 requests per minute per application. LoadToken returns the zero AccessToken when it holds
// none; a stored token is used only with more than 10 s left, and never once the API refused
// it with 401/42. Errors of either method are logged and otherwise ignored: a broken store
// costs a token request, never a call. The token is a secret: keep it readable by its owner
// only.
type TokenStore interface {
	LoadToken(ctx context.Context) (AccessToken, error)
	SaveToken(ctx context.Context, t AccessToken) error
}

// WithTokenStore makes the client take its first token from s, when s holds one that is still
// usable, and save every token it fetches to s.
func WithTokenStore(s TokenStore) Option { return func(o *options) { o.tokenStore = s } }

// tokenCache holds the current token of a Client. Tokens come from clientcredentials (RFC 6749
// §4.4, client authentication in the Basic header); one is reused by every call until shortly
// before it expires, or until a call is refused with 401/42 (invalidate). Concurrent callers
// that find no usable token wait for one fetch rather than each fetching its own.
type tokenCache struct {
	client *Client
	cfg    clientcredentials.Config
	sem    chan struct{} // held by the one caller fetching a token
	store  TokenStore    // nil: none

	mu       sync.Mutex
	tok      *oauth2.Token
	got      time.Time // when tok was received
	rejected string    // the last token the API refused with 401/42: never take it from the store again
}

// usable returns the cached token when it may still be used. A token is given up a little
// before its expiry (a tenth of its lifetime, at most 10 s), so that it does not expire on
// its way to the server; never at once, even when its lifetime is shorter than 10 s.
func (tc *tokenCache) usable() *oauth2.Token {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.tok == nil {
		return nil
	}
	if tc.tok.Expiry.IsZero() {
		return tc.tok
	}
	margin := min(10*time.Second, tc.tok.Expiry.Sub(tc.got)/10)
	if time.Now().Add(margin).Before(tc.tok.Expiry) {
		return tc.tok
	}
	return nil
}

// get returns a usable token, fetching one when needed, with the retries of the Client on
// 429 and 503. The token it returns is the one to give invalidate.
func (tc *tokenCache) get(ctx context.Context) (*oauth2.Token, error) {
	if tok := tc.usable(); tok != nil {
		return tok, nil
	}
	select {
	case tc.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-tc.sem }()
	if tok := tc.usable(); tok != nil { // another caller fetched it while this one waited
		return tok, nil
	}
	c := tc.client
	if tok := tc.load(ctx); tok != nil {
		return tok, nil
	}
	for attempt := 1; ; attempt++ {
		got := time.Now()
		tok, err := tc.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, c.http))
		if err == nil {
			c.log.LogAttrs(ctx, slog.LevelDebug, "eccs token fetched", slog.Time("expiry", tok.Expiry))
			tc.mu.Lock()
			tc.tok, tc.got = tok, got
			tc.mu.Unlock()
			if tc.store != nil {
				if err := tc.store.SaveToken(ctx, AccessToken{Value: tok.AccessToken, Expiry: tok.Expiry}); err != nil {
					c.log.LogAttrs(ctx, slog.LevelWarn, "eccs token store: save the token", slog.String("error", err.Error()))
				}
			}
			return tok, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response == nil {
			return nil, fmt.Errorf("eccs client: get an access token from %s: %w", tc.cfg.TokenURL, err)
		}
		apiErr := tokenError(re)
		apiErr.Attempts = attempt
		if (apiErr.RateLimited() || apiErr.Status == http.StatusServiceUnavailable) && attempt < c.maxAttempts {
			if werr := c.wait(ctx, attempt, apiErr); werr != nil {
				return nil, werr
			}
			continue
		}
		return nil, apiErr
	}
}

// invalidate drops tok if it is still the cached token, so that the next call fetches a new
// one; concurrent calls refused with the same token thus cause one fetch.
func (tc *tokenCache) invalidate(tok *oauth2.Token) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.tok == tok {
		tc.tok = nil
		tc.rejected = tok.AccessToken
	}
}

// load takes the store's token when it is usable and not one the API refused, and returns it;
// nil otherwise.
func (tc *tokenCache) load(ctx context.Context) *oauth2.Token {
	if tc.store == nil {
		return nil
	}
	t, err := tc.store.LoadToken(ctx)
	if err != nil {
		tc.client.log.LogAttrs(ctx, slog.LevelWarn, "eccs token store: load the token", slog.String("error", err.Error()))
		return nil
	}
	if t.Value == "" {
		return nil
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if t.Value == tc.rejected {
		return nil
	}
	// Its lifetime is unknown here: keep it only with more than the largest margin left.
	if !t.Expiry.IsZero() && time.Until(t.Expiry) <= 10*time.Second {
		return nil
	}
	tok := &oauth2.Token{AccessToken: t.Value, TokenType: "Bearer", Expiry: t.Expiry}
	tc.tok, tc.got = tok, time.Time{} // its lifetime is unknown: the full 10 s margin
	tc.client.log.LogAttrs(ctx, slog.LevelDebug, "eccs token loaded from the store", slog.Time("expiry", t.Expiry))
	return tok
}
